"""SAML 2.0 login through djangosaml2 / pysaml2 (docs/security.md "Single sign-on").

The service provider is configured from the environment (config/settings.py,
SKOLKVALITET_SAML_*): the IdP's metadata (a file or a URL), our entity id, and optionally our
key and certificate (signed AuthnRequests, encrypted assertions). Requests go by HTTP-Redirect,
the IdP answers by HTTP-POST to the ACS (/sso/saml/acs/); only solicited responses whose
assertion is signed by a key in the IdP's metadata are accepted (pysaml2, xmlsec1). The
identity is (IdP entity id, NameID or the configured subject attribute) and becomes a user by
identities.py's policy.
"""

from __future__ import annotations

import shutil
from typing import Any

import saml2
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.translation import gettext
from djangosaml2.backends import Saml2Backend
from djangosaml2.views import AssertionConsumerServiceView, LoginView, MetadataView
from saml2.config import SPConfig
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_TRANSIENT

from skolkvalitet.web.models import ExternalIdentity
from skolkvalitet.web.sso.identities import (
    LoginRefused,
    ProviderIdentity,
    failure_record,
    user_for_identity,
)


def saml_configured() -> bool:
    """Whether SAML login is offered: the IdP's metadata is configured."""
    return bool(
        settings.SKOLKVALITET_SAML_IDP_METADATA_FILE or settings.SKOLKVALITET_SAML_IDP_METADATA_URL
    )


def saml_name() -> str:
    """The IdP's name in messages, e.g. "Skolfederation"."""
    return settings.SKOLKVALITET_SAML_NAME or gettext("the identity provider")


def saml_label() -> str:
    """The login button's text: "Logga in med Skolfederation" when the IdP is named."""
    if settings.SKOLKVALITET_SAML_NAME:
        return gettext("Log in with %(provider)s") % {"provider": settings.SKOLKVALITET_SAML_NAME}
    return gettext("Log in with single sign-on (SAML)")


def _absolute(request: HttpRequest | None, path: str) -> str:
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.SKOLKVALITET_SITE_URL + path


def saml_config_dict(request: HttpRequest | None = None) -> dict[str, Any]:
    """pysaml2's service provider configuration, from the settings."""
    entity_id = settings.SKOLKVALITET_SAML_ENTITY_ID or _absolute(
        request, reverse("saml2_metadata")
    )
    key_file = settings.SKOLKVALITET_SAML_KEY_FILE
    cert_file = settings.SKOLKVALITET_SAML_CERT_FILE
    metadata: dict[str, Any] = {}
    if settings.SKOLKVALITET_SAML_IDP_METADATA_FILE:
        metadata["local"] = [settings.SKOLKVALITET_SAML_IDP_METADATA_FILE]
    if settings.SKOLKVALITET_SAML_IDP_METADATA_URL:
        metadata["remote"] = [{"url": settings.SKOLKVALITET_SAML_IDP_METADATA_URL}]
    config: dict[str, Any] = {
        "entityid": entity_id,
        "xmlsec_binary": shutil.which("xmlsec1") or "/usr/bin/xmlsec1",
        "allow_unknown_attributes": True,
        "metadata": metadata,
        "service": {
            "sp": {
                "name": "Skolkvalitet",
                "endpoints": {
                    "assertion_consumer_service": [
                        (_absolute(request, reverse("saml2_acs")), saml2.BINDING_HTTP_POST)
                    ],
                },
                "allow_unsolicited": False,  # only answers to our own requests
                "want_assertions_signed": True,
                "want_response_signed": False,
                "only_use_keys_in_metadata": True,
                "authn_requests_signed": bool(key_file and cert_file),
                "name_id_format": NAMEID_FORMAT_PERSISTENT,
                "name_id_format_allow_create": True,
            }
        },
    }
    if key_file and cert_file:
        config["key_file"] = key_file
        config["cert_file"] = cert_file
        config["encryption_keypairs"] = [{"key_file": key_file, "cert_file": cert_file}]
    return config


def saml_config_loader(request: HttpRequest | None = None) -> SPConfig:
    """djangosaml2's SAML_CONFIG_LOADER."""
    if not saml_configured():
        raise Http404
    config = SPConfig()
    config.load(saml_config_dict(request))
    return config


def _first(values: Any) -> str:
    if isinstance(values, list | tuple):
        return str(values[0]) if values else ""
    return str(values or "")


def identity_from_session_info(session_info: dict[str, Any]) -> ProviderIdentity:
    """The identity a verified assertion names: the configured subject attribute or else the
    NameID (a transient NameID names no one lastingly, so it counts as none)."""
    attributes = session_info.get("ava", {})
    subject_attribute = settings.SKOLKVALITET_SAML_SUBJECT_ATTRIBUTE
    if subject_attribute:
        subject = _first(attributes.get(subject_attribute))
    else:
        name_id = session_info.get("name_id")
        transient = getattr(name_id, "format", None) == NAMEID_FORMAT_TRANSIENT
        subject = "" if name_id is None or transient else str(name_id.text or "")
    email = _first(attributes.get(settings.SKOLKVALITET_SAML_EMAIL_ATTRIBUTE))
    return ProviderIdentity(
        protocol=ExternalIdentity.Protocol.SAML,
        provider=saml_name(),
        issuer=str(session_info.get("issuer") or ""),
        subject=subject.strip(),
        email=email,
        # The attribute is in an assertion the IdP signed: it vouches for the address.
        email_verified=bool(email),
    )


class SamlBackend(Saml2Backend):
    """Authenticates a verified SAML assertion by identities.py's policy; never creates or
    updates users from attributes."""

    def authenticate(
        self,
        request,
        session_info=None,
        attribute_mapping=None,
        create_unknown_user=True,
        assertion_info=None,
        **kwargs,
    ):
        if session_info is None or not saml_configured():
            return None
        try:
            return user_for_identity(identity_from_session_info(session_info), request=request)
        except LoginRefused as refused:
            if request is not None:
                request.sso_refused = refused
            raise PermissionDenied(refused.reason) from refused

    def get_user(self, user_id):
        try:
            user = get_user_model()._default_manager.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if user.is_active else None


class SamlLoginView(LoginView):
    """Sends the browser to the IdP with an AuthnRequest (HTTP-Redirect)."""


class SamlAcsView(AssertionConsumerServiceView):
    """The IdP's answer: logs the user in, or returns to the login page saying why not."""

    def handle_acs_failure(self, request, exception=None, status=403, **kwargs):
        refused = getattr(request, "sso_refused", None)
        if refused is not None:
            messages.error(request, refused.message)
        else:
            failure_record(
                protocol=ExternalIdentity.Protocol.SAML,
                issuer="",  # not to be believed: the answer failed the checks
                error=type(exception).__name__ if exception else "invalid_response",
                request=request,
            )
            messages.error(
                request,
                gettext("The login at %(provider)s was cancelled or failed. Please try again.")
                % {"provider": saml_name()},
            )
        return HttpResponseRedirect(resolve_url(settings.LOGIN_URL))


class SamlMetadataView(MetadataView):
    """Our service provider's metadata, for the IdP's administrator."""
