"""/sso/: OpenID Connect (/sso/oidc/) and SAML 2.0 (/sso/saml/). The URL names are the ones
mozilla-django-oidc and djangosaml2 reverse."""

from django.urls import path

from skolkvalitet.web.sso import oidc, saml

urlpatterns = [
    path("oidc/login/", oidc.OidcLoginView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", oidc.OidcCallbackView.as_view(), name="oidc_authentication_callback"),
    path("saml/login/", saml.SamlLoginView.as_view(), name="saml2_login"),
    path("saml/acs/", saml.SamlAcsView.as_view(), name="saml2_acs"),
    path("saml/metadata/", saml.SamlMetadataView.as_view(), name="saml2_metadata"),
]
