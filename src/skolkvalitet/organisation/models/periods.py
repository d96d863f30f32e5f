"""Time: academic years (läsår), terms (HT/VT) and follow-up points (uppföljningstillfällen)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AcademicYear(models.Model):
    code = models.CharField(_("academic year"), max_length=7, unique=True)  # "2024/25"
    start_date = models.DateField()
    end_date = models.DateField()

    class Meta:
        ordering = ["start_date"]

    def __str__(self) -> str:
        return self.code

    @property
    def start_year(self) -> int:
        return int(self.code[:4])

    @staticmethod
    def code_for(start_year: int) -> str:
        return f"{start_year}/{(start_year + 1) % 100:02d}"


class TermKind(models.TextChoices):
    HT = "HT", _("Autumn term")
    VT = "VT", _("Spring term")


class Term(models.Model):
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="terms")
    kind = models.CharField(max_length=2, choices=TermKind.choices)
    start_date = models.DateField()
    end_date = models.DateField()

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "kind"], name="unique_term"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def calendar_year(self) -> int:
        return self.start_date.year

    @property
    def code(self) -> str:
        """'HT2024', 'VT2025': the names schools use."""
        return f"{self.kind}{self.calendar_year}"


class FollowUpPoint(models.Model):
    """A point in the organiser's calendar (årshjul) where results are assessed and each unit
    head writes a resultatdialog. Default: two per term."""

    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="follow_up_points")
    ordinal = models.PositiveSmallIntegerField()  # 1, 2 within the term
    name = models.CharField(_("name"), max_length=100)
    assessed_on = models.DateField(_("assessment date"))
    deadline = models.DateField(_("deadline for the follow-up dialogue"))

    class Meta:
        ordering = ["assessed_on"]
        constraints = [
            models.UniqueConstraint(fields=["term", "ordinal"], name="unique_follow_up_point"),
        ]

    def __str__(self) -> str:
        return self.name
