"""Single sign-on: OpenID Connect (oidc.py, mozilla-django-oidc) and SAML 2.0 (saml.py,
djangosaml2), both mapping the provider's identity to a user by the one policy in
identities.py (docs/security.md "Single sign-on"; configuration: docs/operations.md)."""
