"""The board's documents built from the database: a unit's kvalitetsrapport (unit_report.py)
and the organiser's kvalitetsredovisning (annual_report.py), as publishing/documents' model,
with figures suppressed as for the board; produce.py checks and renders them."""
