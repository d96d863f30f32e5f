"""The web app's one table: the identities at identity providers that log users in (single
sign-on, web/sso/; docs/security.md "Single sign-on")."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ExternalIdentity(models.Model):
    """A user's identity at one identity provider: the OpenID Connect issuer and subject
    (`iss`, `sub`) or the SAML IdP's entity id and NameID. Written only by
    web/sso/actions.py."""

    class Protocol(models.TextChoices):
        OIDC = "oidc", "OpenID Connect"
        SAML = "saml", "SAML 2.0"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    protocol = models.CharField(max_length=8, choices=Protocol.choices)
    issuer = models.CharField(max_length=500)
    subject = models.CharField(max_length=255)
    linked_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="web_externalidentity_issuer_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject} → {self.user_id}"
