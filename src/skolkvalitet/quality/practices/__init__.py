"""Shared practices (dela-kultur): actions.py (every write), selectors.py (who reads which
practice, the search, the year's practices for the annual report), permissions.py (from the
capability table), views.py and forms.py (the list and search, the practice, its form)."""
