"""The unit's quality report (kvalitetsrapport): figures.py reads what each section shows,
actions.py writes (templates, sections, the workflow), export.py gives a report as data."""
