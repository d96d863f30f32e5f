"""Stored reference values: published figures for the nation, municipalities, organisers and
school units, kept beside the organiser's own indicator values (see records.py)."""

from __future__ import annotations

from django.db import models

from skolkvalitet.reference.records import AreaKind, Marker, Source


class ReferenceValue(models.Model):
    source = models.CharField(max_length=24, choices=[(s.value, s.value) for s in Source])
    dataset = models.CharField(max_length=200)
    measure = models.CharField(max_length=300)
    area_kind = models.CharField(max_length=16, choices=[(a.value, a.value) for a in AreaKind])
    area_code = models.CharField(max_length=16)
    area_name = models.CharField(max_length=200)
    period = models.CharField(max_length=9)
    organiser_type = models.CharField(max_length=32, blank=True)
    breakdown = models.CharField(max_length=64, blank=True)
    subject = models.CharField(max_length=64, blank=True)  # code, else the name as published
    value = models.FloatField(null=True)
    marker = models.CharField(
        max_length=4, blank=True, choices=[(m.value, m.value or "-") for m in Marker]
    )
    n = models.IntegerField(null=True)
    indicator_key = models.CharField(max_length=64, blank=True, db_index=True)
    kpi = models.CharField(max_length=16, blank=True)
    unit = models.CharField(max_length=8, blank=True)  # "tkr", "kr" (see ReferenceRecord)
    note = models.TextField(blank=True)  # the source's caveat or the publication cited
    batch = models.ForeignKey("batches.ImportBatch", on_delete=models.CASCADE)

    class Meta:
        indexes = [models.Index(fields=["area_kind", "area_code", "period"])]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "source",
                    "dataset",
                    "measure",
                    "area_kind",
                    "area_code",
                    "period",
                    "organiser_type",
                    "breakdown",
                    "subject",
                ],
                name="unique_reference_value",
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.area_name} {self.period}"


class SimilarMunicipality(models.Model):
    """A municipality's group of similar municipalities (Kolada/SKR's SEKOM groups, from
    sekom.json): the municipalities whose values are averaged as "similar municipalities"."""

    grouping = models.CharField(max_length=32)  # "sekom"
    group = models.CharField(max_length=64)  # "Orange"
    municipality_code = models.CharField(max_length=4)
    municipality_name = models.CharField(max_length=200)
    batch = models.ForeignKey("batches.ImportBatch", on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["grouping", "municipality_code"], name="unique_similar_municipality"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality_name} ({self.grouping} {self.group})"
