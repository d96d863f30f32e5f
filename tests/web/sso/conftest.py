from __future__ import annotations

import pytest
from tests.web.sso.provider import configure, provider_running


@pytest.fixture(scope="module")
def provider():
    with provider_running() as running:
        yield running


@pytest.fixture
def oidc(settings, provider):
    """Skolkvalitet configured to log in through the local provider."""
    configure(settings, provider)
    return provider
