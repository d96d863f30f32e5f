"""Roles granted on a node of the organisation tree; what each role may do is in
organisation/roles.py (ROLE_SPECS)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ORGANISER_ADMIN = "organiser_admin", _("Organiser administration")
    ANALYST = "analyst", _("Quality strategist / analyst")
    UNIT_HEAD = "unit_head", _("Head of unit")
    TEACHER = "teacher", _("Teacher / preschool teacher")
    BOARD = "board", _("Board")
    COACH = "coach", _("Coach / external adviser")


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    node = models.ForeignKey("organisation.Node", on_delete=models.CASCADE)
    role = models.CharField(max_length=24, choices=Role.choices)
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "node", "role"], name="unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.node}"
