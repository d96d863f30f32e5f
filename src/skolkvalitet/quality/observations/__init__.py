"""Drafted observations for the quality reports (docs/observations.md): rules.py decides, pure,
what the figures allow to be said; selectors.py reads a node's figures and plan for a report.
The writer accepts, edits or discards each; accepted text is the writer's own."""
