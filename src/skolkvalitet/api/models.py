"""API tokens: a user's key for the JSON API (docs/api.md). Only the token's SHA-256 hash is
stored; the token itself is shown once, when it is created."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    expires = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    def is_valid_at(self, when: dt.datetime) -> bool:
        """Neither revoked nor expired at `when`. No token outlives
        SKOLKVALITET_API_TOKEN_MAX_DAYS after it was made: not one made before tokens had to
        expire (no `expires`), nor one made before the maximum was lowered."""
        return self.revoked is None and when < self.expires_at

    @property
    def expires_at(self) -> dt.datetime:
        longest = self.created + dt.timedelta(days=settings.SKOLKVALITET_API_TOKEN_MAX_DAYS)
        if self.expires is not None:
            return min(self.expires, longest)
        return longest

    @property
    def status(self) -> str:
        """ "active", "expired" or "revoked" (the `api_token list` column)."""
        if self.revoked is not None:
            return "revoked"
        if not self.is_valid_at(timezone.now()):
            return "expired"
        return "active"
