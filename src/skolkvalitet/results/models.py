"""Facts: what imports write and the indicator engine reads.

The four large fact tables (grades, assessments, national tests, absence) are built for bulk
loading, millions of rows at a time:
- they skip Django's automatic index on the pupil, subject and scale foreign keys: each unique
  constraint starts with the pupil (so pupil lookups use it), and no query starts from a
  subject or a scale;
- they carry only the indexes a query uses (an index costs every row of every import): a
  foreign key whose column leads a composite index has no index of its own, and the batch
  keeps its index for rollbacks and for finding the periods an import touched;
- their foreign keys carry no database constraint (`db_constraint=False`): a constraint costs a
  trigger and an index probe per row and reference on PostgreSQL. Integrity is kept by the one
  write path instead: the importers and the demo builder validate every reference before
  writing, and deletes go through the ORM, which cascades in Python.

Every fact row belongs to the import batch that wrote it (batches.ImportBatch), so that an
import can be rolled back as a whole and every indicator knows its data version.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from skolkvalitet.results.grades import GRADE_VALUES


class Subject(models.Model):
    code = models.CharField(_("subject code"), max_length=8, unique=True)
    name_sv = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    category = models.CharField(max_length=16)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order"]

    def __str__(self) -> str:
        return self.code


class GradeType(models.TextChoices):
    TERM = "term", _("Term grade")
    FINAL = "final", _("Final grade")


class Grade(models.Model):
    pupil = models.ForeignKey(
        "organisation.Pupil", on_delete=models.CASCADE, db_index=False, db_constraint=False
    )
    # No index of their own: (term, unit) below leads with the term, and no query starts
    # from the unit alone (the unit page's reads use grade_final_unit_term).
    unit = models.ForeignKey(
        "organisation.Node", on_delete=models.PROTECT, db_index=False, db_constraint=False
    )
    term = models.ForeignKey(
        "organisation.Term", on_delete=models.PROTECT, db_index=False, db_constraint=False
    )
    year_group = models.SmallIntegerField()
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, db_index=False, db_constraint=False
    )
    value = models.CharField(max_length=1, choices=[(g, g) for g in GRADE_VALUES])
    grade_type = models.CharField(max_length=8, choices=GradeType.choices)
    # The language of M1/M2/ML (ISO 639-2, e.g. SPA, TYS, ARA); blank otherwise.
    language = models.CharField(max_length=3, blank=True)
    batch = models.ForeignKey("batches.ImportBatch", on_delete=models.CASCADE, db_constraint=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "term", "subject", "grade_type"], name="unique_grade"
            ),
        ]
        indexes = [
            models.Index(fields=["term", "unit"]),
            # Final grades are about one in eight grade rows: the unit page's grade
            # distribution (dashboards.selectors.distribution) counts them from this
            # index alone (an index-only scan on PostgreSQL).
            models.Index(
                fields=["unit", "term", "year_group", "subject", "value"],
                condition=models.Q(grade_type="final"),
                name="grade_final_unit_term",
            ),
        ]


class AssessmentScale(models.Model):
    """A configurable scale for assessments at follow-up points. `values` is an ordered list
    of {"value", "label", "on_track"}: on_track marks the values that mean "will pass"."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    values = models.JSONField()

    def __str__(self) -> str:
        return self.name

    @property
    def on_track_values(self) -> set[str]:
        return {v["value"] for v in self.values if v["on_track"]}


class Assessment(models.Model):
    """A teacher's assessment (bedömning / prognos) of a pupil in a subject at a follow-up
    point."""

    pupil = models.ForeignKey(
        "organisation.Pupil", on_delete=models.CASCADE, db_index=False, db_constraint=False
    )
    unit = models.ForeignKey("organisation.Node", on_delete=models.PROTECT, db_constraint=False)
    # No index of its own: (follow_up_point, unit) below leads with it.
    follow_up_point = models.ForeignKey(
        "organisation.FollowUpPoint", on_delete=models.PROTECT, db_index=False, db_constraint=False
    )
    year_group = models.SmallIntegerField()
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, db_index=False, db_constraint=False
    )
    scale = models.ForeignKey(
        AssessmentScale, on_delete=models.PROTECT, db_index=False, db_constraint=False
    )
    value = models.CharField(max_length=16)
    batch = models.ForeignKey("batches.ImportBatch", on_delete=models.CASCADE, db_constraint=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "follow_up_point", "subject"], name="unique_assessment"
            ),
        ]
        indexes = [models.Index(fields=["follow_up_point", "unit"])]


class NationalTestScale(models.TextChoices):
    GRADE = "grade", _("Test grade A–F")  # years 6 and 9
    REQUIREMENT = "requirement", _("Required level met / not met")  # year 3


class NationalTest(models.Model):
    pupil = models.ForeignKey(
        "organisation.Pupil", on_delete=models.CASCADE, db_index=False, db_constraint=False
    )
    unit = models.ForeignKey("organisation.Node", on_delete=models.PROTECT, db_constraint=False)
    term = models.ForeignKey("organisation.Term", on_delete=models.PROTECT, db_constraint=False)
    year_group = models.SmallIntegerField()
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, db_index=False, db_constraint=False
    )
    scale = models.CharField(max_length=16, choices=NationalTestScale.choices)
    # A–F on the grade scale; "met" / "not_met" on the requirement scale.
    value = models.CharField(max_length=8)
    batch = models.ForeignKey("batches.ImportBatch", on_delete=models.CASCADE, db_constraint=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "term", "subject"], name="unique_national_test"
            ),
        ]


class Absence(models.Model):
    """A pupil's absence at a unit over one period of a term (a calendar month, a week, or the
    whole term), in minutes of scheduled teaching. The periods of a pupil, unit and term do not
    overlap (the write path keeps it so), so absence sums to any date: a term's is the sum of
    its periods, and at a follow-up point it is the sum of the periods of the point's term that
    end on or before the point's date (docs/indicators.md)."""

    pupil = models.ForeignKey(
        "organisation.Pupil", on_delete=models.CASCADE, db_index=False, db_constraint=False
    )
    unit = models.ForeignKey("organisation.Node", on_delete=models.PROTECT, db_constraint=False)
    term = models.ForeignKey("organisation.Term", on_delete=models.PROTECT, db_constraint=False)
    starts_on = models.DateField()  # the period's first day
    ends_on = models.DateField()  # the period's last day
    year_group = models.SmallIntegerField()
    scheduled_minutes = models.PositiveIntegerField()
    absent_minutes = models.PositiveIntegerField()  # all absence, valid and invalid
    unexcused_minutes = models.PositiveIntegerField(default=0)  # ogiltig frånvaro
    batch = models.ForeignKey("batches.ImportBatch", on_delete=models.CASCADE, db_constraint=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "term", "unit", "starts_on"], name="unique_absence_period"
            ),
            models.CheckConstraint(
                condition=models.Q(absent_minutes__lte=models.F("scheduled_minutes")),
                name="absence_within_schedule",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="absence_period_ordered",
            ),
        ]


class SurveyResult(models.Model):
    """One index of a survey at one unit: how many answered and how many agreed
    (e.g. trygghet: "Jag känner mig trygg i skolan", share answering 'stämmer helt/ganska bra')."""

    unit = models.ForeignKey("organisation.Node", on_delete=models.PROTECT)
    academic_year = models.ForeignKey("organisation.AcademicYear", on_delete=models.PROTECT)
    survey = models.CharField(max_length=32)  # "pupil", "guardian_preschool", ...
    index = models.CharField(max_length=32)  # "safety", "study_calm", ...
    respondent_group = models.CharField(max_length=32, blank=True)  # "åk 5", "åk 8"
    invited = models.PositiveIntegerField()
    respondents = models.PositiveIntegerField()
    agreeing = models.PositiveIntegerField()
    batch = models.ForeignKey("batches.ImportBatch", on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "academic_year", "survey", "index", "respondent_group"],
                name="unique_survey_result",
            ),
        ]


class UnitStaffFact(models.Model):
    """Staff facts per unit and academic year (as in Skolverket's personalstatistik)."""

    unit = models.ForeignKey("organisation.Node", on_delete=models.PROTECT)
    academic_year = models.ForeignKey("organisation.AcademicYear", on_delete=models.PROTECT)
    teachers = models.PositiveIntegerField(_("teachers, headcount"))
    teacher_fte = models.DecimalField(
        _("teachers, full-time equivalents"), max_digits=7, decimal_places=2
    )
    certified_teacher_fte = models.DecimalField(
        _("certified teachers, full-time equivalents"), max_digits=7, decimal_places=2
    )
    pupils = models.PositiveIntegerField(_("pupils"))
    batch = models.ForeignKey("batches.ImportBatch", on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "academic_year"], name="unique_staff_fact"),
        ]


class PreschoolGroupFact(models.Model):
    """Barngrupp facts on a count date (Skolverket counts on 15 October)."""

    unit = models.ForeignKey("organisation.Node", on_delete=models.PROTECT)
    group = models.ForeignKey(
        "organisation.Node", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    academic_year = models.ForeignKey("organisation.AcademicYear", on_delete=models.PROTECT)
    counted_on = models.DateField()
    children = models.PositiveIntegerField(_("children"))
    staff_fte = models.DecimalField(
        _("staff, full-time equivalents"), max_digits=6, decimal_places=2
    )
    preschool_teacher_fte = models.DecimalField(
        _("preschool teachers, full-time equivalents"), max_digits=6, decimal_places=2
    )
    batch = models.ForeignKey("batches.ImportBatch", on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "group", "academic_year"], name="unique_preschool_fact"
            ),
        ]
