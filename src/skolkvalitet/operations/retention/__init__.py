"""Retention (gallring) of pupil-level data: actions.py, docs/operations.md "Retention"."""
