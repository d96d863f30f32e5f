"""Materialised indicator values: what every page, report and the API read."""

from __future__ import annotations

from django.db import models


class IndicatorValue(models.Model):
    """One figure: an indicator for one node, period and breakdown.

    `value`, `n`, `numerator` and `denominator` are the real figures; `suppression` ("", "..",
    "~100") says what a role without pupil access may see (indicators/suppression.py).
    `data_version` is the latest import batch the computation saw.

    (indicator, node, period, breakdown) is unique by construction: materialise.py, the only
    writer, deletes a chunk's periods and inserts one aggregated row per combination in the
    same transaction (tests/indicators/test_materialise_batch.py checks it). No unique index
    enforces it: on 2.4 million rows that five-column index doubled the time of every write.
    """

    indicator = models.CharField(max_length=64)
    family = models.CharField(max_length=16)
    # Indexed by the (node, period_kind, period_id, …) index below; no database constraint, as
    # in the fact tables (materialise.py is the only writer and takes nodes from the tree).
    node = models.ForeignKey(
        "organisation.Node",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    period_kind = models.CharField(max_length=8)  # "year", "term", "point"
    period_id = models.BigIntegerField()  # AcademicYear, Term or FollowUpPoint id
    breakdown = models.CharField(max_length=48, blank=True)  # "" or "gender=F"
    value = models.FloatField(null=True)
    n = models.IntegerField()
    numerator = models.FloatField()
    denominator = models.FloatField()
    suppression = models.CharField(max_length=4, blank=True)
    data_version = models.BigIntegerField()

    class Meta:
        indexes = [
            # The pages and the API ask for a few indicators and breakdowns of a node and
            # period: with breakdown and indicator in the index each probe reads only those
            # rows (a query of the overview 162 ms → 0.7 ms on the demo, docs/benchmarks.md
            # "Load"); queries by node and period alone use its first three columns.
            models.Index(fields=["node", "period_kind", "period_id", "breakdown", "indicator"]),
            # materialise.py reads and deletes its chunks by family and period.
            models.Index(fields=["family", "period_kind", "period_id"]),
        ]


# MaterialisedPeriod.organiser_id of values computed in a database without an organiser node.
NO_ORGANISER = 0


class MaterialisedPeriod(models.Model):
    """That a family's values of one period are materialised for one organiser: written by
    materialise.py in the same transaction as the values, so pages can ask which follow-up
    points and years have figures without scanning the values table. One record per
    organiser (`organiser_id`: the organiser node's id; NO_ORGANISER for a database whose
    nodes have no organiser): an organiser's run replaces its own records only, so no run
    counts the other organisers' rows."""

    # No foreign key: the rollback of an import that created its organiser removes the node
    # and its records (ingest/writing/rollback.py).
    organiser_id = models.BigIntegerField()
    family = models.CharField(max_length=16)
    period_kind = models.CharField(max_length=8)
    period_id = models.BigIntegerField()
    rows = models.IntegerField()
    data_version = models.BigIntegerField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organiser_id", "family", "period_kind", "period_id"],
                name="unique_materialised_period_per_organiser",
            )
        ]

    def __str__(self) -> str:
        return f"{self.family} {self.period_kind} {self.period_id}"


class ErasedYear(models.Model):
    """An academic year whose pupil-level facts retention (gallring) removed for one organiser
    (operations/retention/actions.py). That organiser's stored values of the year are kept as
    they were computed, the published figures of that year, and materialise.py never recomputes
    the year or its follow-up points for that organiser: computed again from the facts left,
    they would be empty. Each organiser has its own retention period, so a year can be erased
    for one organiser and kept for another."""

    organiser = models.ForeignKey("organisation.Node", on_delete=models.PROTECT, related_name="+")
    academic_year = models.ForeignKey(
        "organisation.AcademicYear", on_delete=models.PROTECT, related_name="+"
    )
    erased_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organiser", "academic_year"], name="erased_year_once_per_organiser"
            )
        ]

    def __str__(self) -> str:
        return f"{self.academic_year} erased {self.erased_at:%Y-%m-%d}"
