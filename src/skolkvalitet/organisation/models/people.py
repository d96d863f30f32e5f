"""Pupils, their enrolments, and staff.

A person is known by a keyed pseudonym of their personnummer (identity.py); the number
itself is never stored.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from skolkvalitet.organisation.background import newly_arrived
from skolkvalitet.organisation.models.nodes import SchoolForm


class LegalGender(models.TextChoices):
    """Juridiskt kön, as in Skolverket's statistics and SS 12000."""

    FEMALE = "F", _("Girl")
    MALE = "M", _("Boy")


class EducationLevel(models.IntegerChoices):
    """Parents' education on Skolverket's three-level scale (as used by SALSA)."""

    PRE_UPPER_SECONDARY = 1, _("Below upper secondary")
    UPPER_SECONDARY = 2, _("Upper secondary")
    POST_SECONDARY = 3, _("Post-secondary")


class Pupil(models.Model):
    pseudonym = models.CharField(max_length=64, unique=True)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"))
    legal_gender = models.CharField(_("legal gender"), max_length=1, choices=LegalGender.choices)
    # Background as Skolverket's statistics define it ("utländsk bakgrund", "nyinvandrad"):
    # the date the pupil immigrated to Sweden (invandringsdatum; null: no immigration known),
    # whether the pupil was born abroad and whether both parents were (null: not known).
    # "Newly arrived" is derived from the three per period: is_newly_arrived_on().
    arrival_date = models.DateField(_("date of immigration to Sweden"), null=True, blank=True)
    born_abroad = models.BooleanField(_("born abroad"), null=True, blank=True)
    parents_born_abroad = models.BooleanField(_("both parents born abroad"), null=True, blank=True)
    # Known by a samordningsnummer: not folkbokförd, so "okänd bakgrund" in Skolverket's
    # statistics. Set when the pupil is created from the number (a new number is a new pupil).
    coordination_number = models.BooleanField(_("known by a coordination number"), default=False)
    # Highest education of the parents (1–3) and the parents' mean (1.0–3.0, SALSA's input).
    parents_highest_education = models.PositiveSmallIntegerField(
        _("parents' highest education level"),
        choices=EducationLevel.choices,
        null=True,
        blank=True,
    )
    parents_mean_education = models.FloatField(
        _("parents' mean education level"), null=True, blank=True
    )

    class Meta:
        indexes = [models.Index(fields=["birth_year"])]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip() or f"Elev {self.pk}"

    def is_newly_arrived_on(self, day) -> bool | None:
        """Nyinvandrad as Skolverket's statistics define it, reckoned from the calendar year
        of `day`: immigrated in that year or one of the three before it, born abroad, and both
        parents born abroad. None when it cannot be told ("uppgift saknas"): a recent
        immigration with the birth country of the pupil or of the parents unknown, or a
        pupil known by a samordningsnummer (not folkbokförd).

        The same rule as the engine's (indicators/engine.py, newly_arrived)."""
        return newly_arrived(
            immigration_year=None if self.arrival_date is None else self.arrival_date.year,
            born_abroad=self.born_abroad,
            parents_born_abroad=self.parents_born_abroad,
            coordination_number=self.coordination_number,
            reference_year=day.year,
        )


class Enrolment(models.Model):
    """A pupil's placement in one unit (and group) during one academic year."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="enrolments")
    academic_year = models.ForeignKey("organisation.AcademicYear", on_delete=models.PROTECT)
    unit = models.ForeignKey(
        "organisation.Node", on_delete=models.PROTECT, related_name="unit_enrolments"
    )
    group = models.ForeignKey(
        "organisation.Node",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="group_enrolments",
    )
    school_form = models.CharField(max_length=8, choices=SchoolForm.choices)
    # Årskurs: 0 = förskoleklass, 1–9 grundskola, 1–3 gymnasieskola; null in förskola.
    year_group = models.SmallIntegerField(null=True, blank=True)
    reads_sva = models.BooleanField(_("reads Swedish as a second language"), default=False)
    special_support = models.BooleanField(_("special support (action programme)"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "academic_year", "unit"], name="unique_enrolment"
            ),
        ]
        indexes = [
            models.Index(fields=["academic_year", "unit"]),
            models.Index(fields=["academic_year", "group"]),
        ]


class StaffMember(models.Model):
    pseudonym = models.CharField(max_length=64, unique=True)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    # Lärarlegitimation or förskollärarlegitimation.
    has_teacher_certification = models.BooleanField(_("teacher certification"), default=False)

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip() or f"Personal {self.pk}"


class StaffCertification(models.Model):
    """Behörighet: the certification covers this subject in these year groups."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="certifications")
    subject = models.ForeignKey("results.Subject", on_delete=models.PROTECT)
    school_form = models.CharField(max_length=8, choices=SchoolForm.choices)
    year_from = models.SmallIntegerField()
    year_to = models.SmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "subject", "school_form", "year_from"],
                name="unique_certification",
            ),
        ]


class StaffRole(models.TextChoices):
    TEACHER = "teacher", _("Teacher")
    PRESCHOOL_TEACHER = "preschool_teacher", _("Preschool teacher")
    CHILDMINDER = "childminder", _("Childminder")
    HEAD = "head", _("Head")
    OTHER = "other", _("Other staff")


class StaffEmployment(models.Model):
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="employments")
    unit = models.ForeignKey("organisation.Node", on_delete=models.PROTECT)
    academic_year = models.ForeignKey("organisation.AcademicYear", on_delete=models.PROTECT)
    role = models.CharField(max_length=24, choices=StaffRole.choices)
    fte = models.DecimalField(_("full-time equivalent"), max_digits=4, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "unit", "academic_year", "role"], name="unique_employment"
            ),
        ]
