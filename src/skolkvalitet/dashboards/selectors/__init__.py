"""What the result follow-up pages show, one module per page: materialised values read in a
few set-wise queries, suppressed for the user's roles (indicators.suppression.present),
compared over time, with targets. Every page asks them with the user's Scope; the indicators
each page shows are the registry's (indicators.registry.PAGES). Callers import from the
page's module:

- overview.py: the overview of units × indicators at a follow-up point or for a year
- unit.py: the unit page and the fragment of its groups
- group.py: the group page and a teacher's groups
- distribution.py: the unit page's grade distribution (counted from the final grades)
- series.py, periods.py, targets.py: what the pages share (series sections, periods, targets)

The list of pupils who need support reads the facts one pupil at a time:
results/selectors.py.
"""
