"""The organisation tree: organiser (huvudman) → areas → school units (skolenheter) → groups.

One table holds every node, with a materialised path ("/1/4/17/") so that a subtree is one
indexed prefix query. Roles are granted on a node and reach its subtree (see scopes.py).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NodeKind(models.TextChoices):
    ORGANISER = "organiser", _("Organiser")
    AREA = "area", _("Area")
    UNIT = "unit", _("School unit")
    GROUP = "group", _("Group")


# The kinds a node of each kind may hang under.
ALLOWED_PARENTS: dict[str, tuple[str | None, ...]] = {
    NodeKind.ORGANISER: (None,),
    NodeKind.AREA: (NodeKind.ORGANISER, NodeKind.AREA),
    NodeKind.UNIT: (NodeKind.ORGANISER, NodeKind.AREA),
    NodeKind.GROUP: (NodeKind.UNIT,),
}


class SchoolForm(models.TextChoices):
    """SS 12000's SchoolTypesEnum (the codes Skolverket's registers use too)."""

    FS = "FS", _("Preschool")
    FKLASS = "FKLASS", _("Preschool class")
    FTH = "FTH", _("After-school centre")
    GR = "GR", _("Compulsory school")
    GRS = "GRS", _("Adapted compulsory school")
    GY = "GY", _("Upper secondary school")
    GYS = "GYS", _("Adapted upper secondary school")
    VUX = "VUX", _("Municipal adult education")


class OrganiserType(models.TextChoices):
    """Typ av huvudman, as Skolverket's statistics split organisers: a comparison is like for
    like only between figures of the same type (Skolverket publishes "Kommunal", "Enskild" and
    "Samtliga" separately)."""

    MUNICIPAL = "municipal", _("Municipal")  # Kommunal
    INDEPENDENT = "independent", _("Independent")  # Enskild
    REGIONAL = "regional", _("Regional")  # Region
    STATE = "state", _("State")  # Statlig


class Node(models.Model):
    kind = models.CharField(max_length=16, choices=NodeKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    # Organiser: organisationsnummer or municipality code; unit: 8-digit skolenhetskod;
    # group: the group's short name ("7A").
    code = models.CharField(_("code"), max_length=32, blank=True)
    municipality_code = models.CharField(_("municipality code"), max_length=4, blank=True)
    # Organiser: typ av huvudman; "" where not known (treated as municipal when the organiser
    # has a municipality code, see Node.comparison_organiser_type).
    organiser_type = models.CharField(
        _("type of organiser"), max_length=16, choices=OrganiserType.choices, blank=True
    )
    # Units: the school forms and year groups (0 = förskoleklass) they run.
    school_forms = models.JSONField(default=list, blank=True)
    year_groups = models.JSONField(default=list, blank=True)
    # Groups: the academic year, school form and year group they belong to.
    academic_year = models.ForeignKey(
        "organisation.AcademicYear", null=True, blank=True, on_delete=models.PROTECT
    )
    school_form = models.CharField(max_length=8, choices=SchoolForm.choices, blank=True)
    year_group = models.SmallIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    # Organisers: logging in needs a second factor (a TOTP code, django-otp) for every user
    # whose grants below this organiser include a role with pupil access (docs/security.md).
    two_factor_required = models.BooleanField(
        _("two-factor login required for roles with pupil access"), default=False
    )
    # Organisers: retention (gallring) removes pupil-level data of academic years that ended more
    # than this many years ago (operations/retention/); None: the installation's default,
    # SKOLKVALITET_RETENTION_YEARS. The organiser decides its period (docs/operations.md).
    retention_years = models.PositiveSmallIntegerField(
        _("retention period for pupil-level data (years)"), null=True, blank=True
    )

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(kind="unit"),
                name="unique_skolenhetskod",
            ),
        ]
        indexes = [models.Index(fields=["kind", "path"])]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    def is_within(self, other: Node) -> bool:
        """True if this node is `other` or lies below it."""
        return self.path.startswith(other.path)

    @property
    def school_form_labels(self) -> list[str]:
        """The unit's school forms in words ("Förskoleklass", "Grundskola", ...)."""
        return [str(SchoolForm(code).label) for code in self.school_forms]

    @property
    def year_groups_label(self) -> str:
        """The unit's year groups as schools write them: "F–6", "7–9", "1–3"; "" if none."""
        if not self.year_groups:
            return ""
        low, high = min(self.year_groups), max(self.year_groups)
        first = "F" if low == 0 else str(low)
        return first if low == high else f"{first}–{high}"

    @property
    def display_name(self) -> str:
        """A group's name with its unit ("9A, Hamnskolan"); other nodes' own name."""
        if self.kind == NodeKind.GROUP and self.parent is not None:
            return f"{self.name}, {self.parent.name}"
        return self.name

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/")]
