"""Skolverket's markers for a figure that is not shown, spelled once (pure: no imports).

suppression.py decides where `..` and `~100` go; publishing/formatting.py shows them and `.`;
reference/records.py reads them from published files. A marker is never stored or shown as 0.
"""

from __future__ import annotations

HIDDEN = ".."  # too few pupils (its level's limit), or the complement of a hidden figure
NEAR_FULL = "~100"  # a share that 1–4 pupils miss: "about 100 %"
MISSING = "."  # no figure: missing, or does not occur
MARKERS = (HIDDEN, NEAR_FULL, MISSING)
