"""Which user an identity provider's login is (docs/security.md "Single sign-on").

The policy, the same for OpenID Connect and SAML:

1. An identity (issuer, subject) that is linked (`ExternalIdentity`) logs in as its user, if
   that user is active.
2. An identity not yet linked is linked to an existing, active user only when the provider
   vouches for an e-mail address (OIDC: `email` with `email_verified` true; SAML: the
   configured e-mail attribute of a signed assertion) that exactly one user has
   (case-insensitively), that user has no other identity at the same provider, and
   SKOLKVALITET_SSO_LINK_BY_EMAIL is on (the default).
3. Anything else is refused with a message that says why. No user is ever created: what a
   user may see comes from the grants an administrator makes.

A subject that is a personnummer is refused and never stored or logged (a provider must send a
pseudonymous identifier). Every accepted login is audit event `login_sso`, every refusal
`login_sso_refused`, with the provider and a reason code (`failed` when the provider's answer
itself was an error or failed the protocol's checks: failure_record).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import IntegrityError
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from skolkvalitet.organisation.audit import audit_record
from skolkvalitet.organisation.identity import InvalidPersonalNumber, parse_personal_number
from skolkvalitet.web.models import ExternalIdentity
from skolkvalitet.web.sso.actions import identity_link, identity_used

logger = logging.getLogger("skolkvalitet.security")

NOT_LINKED = "not_linked"
AMBIGUOUS_EMAIL = "ambiguous_email"
INACTIVE = "inactive"
ALREADY_LINKED = "already_linked"
PERSONAL_NUMBER = "personal_number_subject"
NO_SUBJECT = "no_subject"
# Before the policy: the provider's answer was an error, or failed the protocol's checks (a
# bad signature, an unsolicited or expired assertion, a token for another client).
FAILED = "failed"

MESSAGES: dict[str, Promise] = {
    NOT_LINKED: _(
        "Your account at %(provider)s is not linked to a user of Skolkvalitet. Ask an "
        "administrator of Skolkvalitet to give you access with your e-mail address."
    ),
    AMBIGUOUS_EMAIL: _(
        "Your account at %(provider)s could not be linked to a user of Skolkvalitet: more than "
        "one user has its e-mail address. Ask an administrator of Skolkvalitet."
    ),
    INACTIVE: _("Your user in Skolkvalitet is deactivated. Ask an administrator of Skolkvalitet."),
    ALREADY_LINKED: _(
        "Your user in Skolkvalitet is already linked to another account at %(provider)s. Ask an "
        "administrator of Skolkvalitet."
    ),
    PERSONAL_NUMBER: _(
        "Skolkvalitet does not accept a personal identity number as your identifier at "
        "%(provider)s. Ask an administrator to have a pseudonymous identifier sent instead."
    ),
    NO_SUBJECT: _("No identifier for you came from %(provider)s. Please try again."),
}


@dataclass(frozen=True)
class ProviderIdentity:
    """What a provider said about the person logging in, after the protocol's checks."""

    protocol: str  # ExternalIdentity.Protocol
    provider: str  # the provider's name, for messages (oidc_name(), saml_name())
    issuer: str
    subject: str
    email: str = ""
    email_verified: bool = False


class LoginRefused(Exception):
    """An SSO login that the policy refuses; `message` is for the person, `reason` for the log."""

    def __init__(self, reason: str, provider: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = MESSAGES[reason] % {"provider": provider}


def _is_personal_number(subject: str) -> bool:
    try:
        parse_personal_number(subject)
    except InvalidPersonalNumber:
        return False
    return True


def _refuse(
    identity: ProviderIdentity,
    reason: str,
    *,
    request: HttpRequest | None,
    username: str = "",
) -> LoginRefused:
    subject = "" if reason == PERSONAL_NUMBER else identity.subject
    audit_record(
        user=None,
        action="login_sso_refused",
        detail={
            "protocol": identity.protocol,
            "issuer": identity.issuer,
            "subject": subject or None,
            "reason": reason,
            "username": username or None,
        },
        request=request,
    )
    logger.warning("single sign-on refused (%s) for %s %s", reason, identity.issuer, subject or "-")
    return LoginRefused(reason, identity.provider)


def failure_record(*, protocol: str, issuer: str, error: str, request: HttpRequest) -> None:
    """Audit a single sign-on that failed before any identity was accepted (`error`: the
    provider's error code or the check that failed, never the token or assertion)."""
    audit_record(
        user=None,
        action="login_sso_refused",
        detail={"protocol": protocol, "issuer": issuer, "reason": FAILED, "error": error},
        request=request,
    )
    logger.warning("single sign-on failed (%s) at %s: %s", protocol, issuer, error)


def _accept(identity: ProviderIdentity, user: User, *, linked: bool, request) -> User:
    audit_record(
        user=user,
        action="login_sso",
        detail={
            "protocol": identity.protocol,
            "issuer": identity.issuer,
            "subject": identity.subject,
            "linked_now": linked,
        },
        request=request,
    )
    return user


def user_for_identity(identity: ProviderIdentity, *, request: HttpRequest | None = None) -> User:
    """The user `identity` logs in as, linking it by e-mail if the policy allows; raises
    LoginRefused otherwise. Writes the audit event either way."""
    if not identity.issuer or not identity.subject:
        raise _refuse(identity, NO_SUBJECT, request=request)
    if _is_personal_number(identity.subject):
        raise _refuse(identity, PERSONAL_NUMBER, request=request)

    known = (
        ExternalIdentity.objects.select_related("user")
        .filter(issuer=identity.issuer, subject=identity.subject)
        .first()
    )
    if known is not None:
        if not known.user.is_active:
            raise _refuse(identity, INACTIVE, request=request, username=known.user.get_username())
        identity_used(identity=known)
        return _accept(identity, known.user, linked=False, request=request)

    email = identity.email.strip()
    if not (settings.SKOLKVALITET_SSO_LINK_BY_EMAIL and email and identity.email_verified):
        raise _refuse(identity, NOT_LINKED, request=request)
    matches = list(get_user_model().objects.filter(email__iexact=email)[:2])
    if not matches:
        raise _refuse(identity, NOT_LINKED, request=request)
    if len(matches) > 1:
        raise _refuse(identity, AMBIGUOUS_EMAIL, request=request)
    user = matches[0]
    if not user.is_active:
        raise _refuse(identity, INACTIVE, request=request, username=user.get_username())
    if ExternalIdentity.objects.filter(user=user, issuer=identity.issuer).exists():
        raise _refuse(identity, ALREADY_LINKED, request=request, username=user.get_username())
    try:
        identity_link(
            user=user, protocol=identity.protocol, issuer=identity.issuer, subject=identity.subject
        )
    except IntegrityError:
        # The same identity's first login in two tabs at once: the other one linked it.
        known = ExternalIdentity.objects.select_related("user").get(
            issuer=identity.issuer, subject=identity.subject
        )
        return _accept(identity, known.user, linked=False, request=request)
    return _accept(identity, user, linked=True, request=request)
