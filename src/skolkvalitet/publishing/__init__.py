"""Charts (Vega-Lite specs), table exports (CSV, XLSX) and the templates that show them."""
