"""A real OpenID provider on localhost for the tests (oidc-provider-mock: authlib behind
werkzeug, in a thread), and the settings that point Skolkvalitet at it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import requests
from oidc_provider_mock import run_server_in_thread

CLIENT_ID = "skolkvalitet-test"
CLIENT_SECRET = "a-client-secret"


@dataclass(frozen=True)
class Provider:
    url: str  # also its issuer

    def person(self, sub: str, **claims: object) -> None:
        """The person `sub` at the provider, with these claims (email, email_verified, ...)."""
        answer = requests.put(f"{self.url}/users/{sub}", json=claims, timeout=10)
        answer.raise_for_status()


@contextmanager
def provider_running() -> Iterator[Provider]:
    with run_server_in_thread(require_nonce=True) as server:
        yield Provider(url=f"http://localhost:{server.server_port}")


NAME = "Testleverantören"


def configure(settings, provider: Provider) -> None:
    settings.SKOLKVALITET_OIDC_ISSUER = provider.url
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.SKOLKVALITET_OIDC_NAME = NAME
