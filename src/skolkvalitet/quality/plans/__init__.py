"""The nulägesanalys and utvecklingsplan: actions.py (every write), selectors.py (the plan of
a node and year, its goals' progress), progress.py (the pure computation of a goal's
progress), permissions.py (who writes and reads, from the capability table), views.py and
forms.py (the plan page)."""
