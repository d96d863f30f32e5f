"""Schemathesis against the app's own OpenAPI document: for every operation, generated
requests (valid and invalid) never cause a server error, and every answer conforms to the
document (status code, content type, headers, body schema)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# Loaded when the module is collected (the document needs no database). Schemathesis'
# lazy `from_fixture` loader does not work with pytest 9.2 (it reads a removed private
# attribute of the test item).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def requests_in_the_test_transaction(db):
    """Calls of the WSGI application run in the test's transaction: like Django's test
    client, keep the request signals from closing the test's database connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(materialised, users, token_for) -> str:
    return token_for(users.organiser_admin)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_conforms_to_its_openapi_document(case, admin_token):
    cache.clear()  # each example is a client of its own: no rate limit carried over
    case.call_and_validate(headers={"Authorization": f"Bearer {admin_token}"}, checks=CHECKS)


@schema.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
def test_without_a_token_every_operation_answers_401(case, materialised):
    # Each example is a client of its own: the refused tokens of the ones before it (the
    # coverage phase sends made-up ones) must not lock it out (api/throttling.py).
    cache.clear()
    response = case.call_and_validate(checks=CHECKS)
    # The coverage phase also tries methods the operation does not have.
    assert response.status_code == (401 if case.method == "GET" else 405)
