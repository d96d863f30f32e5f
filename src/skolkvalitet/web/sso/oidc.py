"""OpenID Connect login through mozilla-django-oidc (docs/security.md "Single sign-on").

The authorization code flow with PKCE, state and nonce (mozilla-django-oidc), plus what it
leaves out: the provider's endpoints are discovered from SKOLKVALITET_OIDC_ISSUER's
`/.well-known/openid-configuration` (explicit endpoint settings win), and the ID token's `iss`
must be that issuer and its `aud` our client id. The identity (`iss`, `sub`) becomes a user by
identities.py's policy; a refused login returns to the login page with the reason.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.translation import gettext
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from skolkvalitet.web.models import ExternalIdentity
from skolkvalitet.web.sso.identities import (
    LoginRefused,
    ProviderIdentity,
    failure_record,
    user_for_identity,
)

logger = logging.getLogger("skolkvalitet.security")

DISCOVERY_SECONDS = 3600  # how long the provider's discovery document is kept

# mozilla-django-oidc's endpoint settings and the discovery document's names for them.
_ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
_discovered: dict[str, tuple[float, dict[str, Any]]] = {}


def oidc_configured() -> bool:
    """Whether OpenID Connect login is offered: an issuer and a client id are set."""
    return bool(settings.SKOLKVALITET_OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


def oidc_issuer() -> str:
    return settings.SKOLKVALITET_OIDC_ISSUER


def oidc_name() -> str:
    """The provider's name in messages, e.g. "Entra ID"."""
    return settings.SKOLKVALITET_OIDC_NAME or gettext("the identity provider")


def oidc_label() -> str:
    """The login button's text: "Logga in med Entra ID" when the provider is named."""
    if settings.SKOLKVALITET_OIDC_NAME:
        return gettext("Log in with %(provider)s") % {"provider": settings.SKOLKVALITET_OIDC_NAME}
    return gettext("Log in with single sign-on")


@dataclass(frozen=True)
class OidcProvider:
    issuer: str
    endpoints: dict[str, str]  # by mozilla-django-oidc's setting name


def _discovery(issuer: str) -> dict[str, Any]:
    cached = _discovered.get(issuer)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    response = requests.get(
        issuer.rstrip("/") + "/.well-known/openid-configuration",
        timeout=import_from_settings("OIDC_TIMEOUT", 10),
        verify=import_from_settings("OIDC_VERIFY_SSL", True),
    )
    response.raise_for_status()
    document = response.json()
    if document.get("issuer") != issuer:
        raise ImproperlyConfigured(
            f"The OpenID provider at {issuer} names itself {document.get('issuer')!r}: "
            "SKOLKVALITET_OIDC_ISSUER must be the provider's issuer exactly."
        )
    _discovered[issuer] = (time.monotonic() + DISCOVERY_SECONDS, document)
    return document


def oidc_provider() -> OidcProvider:
    """The configured provider: its endpoints from the settings, else from discovery."""
    issuer = settings.SKOLKVALITET_OIDC_ISSUER
    endpoints = {name: getattr(settings, name, "") for name in _ENDPOINTS}
    if not all(endpoints.values()):
        document = _discovery(issuer)
        endpoints = {
            name: value or document.get(_ENDPOINTS[name], "") for name, value in endpoints.items()
        }
    return OidcProvider(issuer=issuer, endpoints=endpoints)


def oidc_setting(attr: str, *default: Any) -> Any:
    """mozilla-django-oidc's settings, with the endpoints resolved through discovery."""
    if attr in _ENDPOINTS:
        return oidc_provider().endpoints[attr] or None
    return import_from_settings(attr, *default)


def _is_true(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


class OidcBackend(OIDCAuthenticationBackend):
    """Authenticates the callback of an OpenID Connect login; answers nothing else (a password
    login's credentials, a SAML assertion), and nothing when OIDC is not configured."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django makes every backend for every login, a password's too: the provider's settings
        # (and its discovery, over the network) are read only for an OIDC callback below, so
        # that a password login never waits for, or fails with, the provider.
        self.UserModel = get_user_model()

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    def ready(self) -> OidcBackend:
        """Read the client's and the provider's settings (mozilla-django-oidc's __init__)."""
        super().__init__()
        return self

    def authenticate(self, request, **kwargs):
        # The callback view passes the nonce it kept in the session; nothing else does.
        if not oidc_configured() or request is None or "nonce" not in kwargs:
            return None
        try:
            self.ready()
        except (requests.RequestException, ImproperlyConfigured, ValueError):
            logger.exception("the OpenID provider %s cannot be used", oidc_issuer())
            return None
        return super().authenticate(request, **kwargs)

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None

    def retrieve_matching_jwk(self, token):
        """The provider's key for `token`: by its `kid`, or, for a token without one (allowed
        when the provider has a single key), the provider's only key."""
        if "kid" in jwt.get_unverified_header(token):
            return super().retrieve_matching_jwk(token)
        response = requests.get(
            self.OIDC_OP_JWKS_ENDPOINT,
            verify=self.get_settings("OIDC_VERIFY_SSL", True),
            timeout=self.get_settings("OIDC_TIMEOUT", None),
        )
        response.raise_for_status()
        keys = response.json().get("keys", [])
        if len(keys) != 1:
            raise SuspiciousOperation("The ID token names no key and the provider has several.")
        return jwt.PyJWK(keys[0])

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        if payload.get("iss") != settings.SKOLKVALITET_OIDC_ISSUER:
            raise SuspiciousOperation("The ID token is from another issuer.")
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token is meant for another client.")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        user_info = self.get_userinfo(access_token, id_token, payload)
        if user_info.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The user info names another subject than the ID token.")
        claims = {**payload, **user_info}
        verified_claim = settings.SKOLKVALITET_OIDC_EMAIL_VERIFIED_CLAIM
        identity = ProviderIdentity(
            protocol=ExternalIdentity.Protocol.OIDC,
            provider=oidc_name(),
            issuer=payload["iss"],
            subject=str(payload["sub"]),
            email=str(claims.get("email") or ""),
            email_verified=_is_true(claims.get(verified_claim)),
        )
        try:
            return user_for_identity(identity, request=self.request)
        except LoginRefused as refused:
            self.request.sso_refused = refused  # type: ignore[attr-defined]
            return None


class OidcLoginView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider (state, nonce and PKCE kept in the session)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.unreachable = False
        if not oidc_configured():  # not offered: get() answers 404
            View.__init__(self, *args, **kwargs)
            return
        try:
            super().__init__(*args, **kwargs)  # reads the endpoints: discovery
        except (requests.RequestException, ImproperlyConfigured, ValueError):
            logger.exception("the OpenID provider %s cannot be used", oidc_issuer())
            self.unreachable = True
            View.__init__(self, *args, **kwargs)

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    def get(self, request):
        if not oidc_configured():
            raise Http404
        if self.unreachable:
            failure_record(
                protocol=ExternalIdentity.Protocol.OIDC,
                issuer=oidc_issuer(),
                error="provider_unreachable",
                request=request,
            )
            messages.error(
                request,
                gettext("%(provider)s cannot be reached just now. Please try again later.")
                % {"provider": oidc_name()},
            )
            return HttpResponseRedirect(resolve_url(settings.LOGIN_URL))
        return super().get(request)


class OidcCallbackView(OIDCAuthenticationCallbackView):
    """The provider's redirect back: logs the user in, or returns to the login page saying
    why not."""

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    def login_failure(self):
        refused = getattr(self.request, "sso_refused", None)
        if refused is not None:
            messages.error(self.request, refused.message)
        else:
            failure_record(
                protocol=ExternalIdentity.Protocol.OIDC,
                issuer=settings.SKOLKVALITET_OIDC_ISSUER,
                # The provider's error code, or: the state, token or claims failed the checks.
                error=str(self.request.GET.get("error", "invalid_response"))[:64],
                request=self.request,
            )
            messages.error(
                self.request,
                gettext("The login at %(provider)s was cancelled or failed. Please try again.")
                % {"provider": oidc_name()},
            )
        return HttpResponseRedirect(resolve_url(settings.LOGIN_URL))
