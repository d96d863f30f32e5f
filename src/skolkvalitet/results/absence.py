"""Absence (frånvaro) as the follow-up counts it. Pure: the indicator registry and the list of
pupils who need support both read it."""

from __future__ import annotations

# The share of scheduled time absent at which a pupil counts as having high absence: the
# indicators absence_15_percent_or_more* and the list of pupils who need support. The
# organisers' own follow-up threshold, not a national statistic.
ABSENCE_THRESHOLD = 0.15
