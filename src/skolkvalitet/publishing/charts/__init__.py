"""Vega-Lite specs for every chart the product draws, one module per chart family: pure functions
from values to dicts. Callers import from the family module:

- base.py: what every chart shares (locale, colours, the spec skeleton, data rows, axes)
- trend.py: `trend_chart` over periods and the table cell's `sparkline`
- distribution.py: `distribution_chart` of grades
- comparison.py: `comparison_chart`, units side by side
- national_tests.py: `test_vs_grade_chart` and its row type `TestVsGrade`


Pages embed a spec with `{% chart spec %}` (templatetags/charts.py) and web/static/web/charts.js
renders it with the vendored vega-embed; the PDF reports will render the same specs. No
function here needs a request: Swedish labels come from gettext (the active language, Swedish
by default) or from the caller.

Conventions shared by all charts:
- A value is a number, a suppression marker ("..", "~100", ".") or None. A marker is never
  drawn as a number: its datum has `value: null` (a gap in a line, no bar) and its `label`
  (what tooltips and the hidden table show) is the marker itself.
- Every datum carries `label`, the value formatted the Swedish way ("75,6 %"), so tooltips
  and text alternatives read like the tables; axes format through `config.locale` (decimal
  comma, no-break space between thousands).
- Colours come from a colour-blind-safe palette (Okabe–Ito hues, every one at least 3:1
  against white), and series differ by dash and point shape too; values are written next to
  the marks, so no chart relies on colour alone.
- `usermeta.table` holds the chart's data as display strings; the template tag renders it as a
  visually hidden table for screen readers.
"""
