"""The single sign-on providers the login page offers, in the order it shows them."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from skolkvalitet.web.sso.oidc import oidc_configured, oidc_label
from skolkvalitet.web.sso.saml import saml_configured, saml_label


@dataclass(frozen=True)
class LoginProvider:
    protocol: str  # "oidc" or "saml", for the button's data attribute
    label: str
    url: str  # where the button sends the browser (with ?next=...)


def login_providers() -> list[LoginProvider]:
    providers = []
    if oidc_configured():
        providers.append(LoginProvider("oidc", oidc_label(), reverse("oidc_authentication_init")))
    if saml_configured():
        providers.append(LoginProvider("saml", saml_label(), reverse("saml2_login")))
    return providers
