"""The OpenAPI document and the docs page are served by the app, nothing from a CDN."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

OPERATIONS = {
    "/api/v1/nodes",
    "/api/v1/periods",
    "/api/v1/indicators",
    "/api/v1/values",
    "/api/v1/reference",
    "/api/v1/reference/indicator/{key}",
    "/api/v1/reports",
    "/api/v1/reports/{report_id}",
    "/api/v1/plans",
}


def test_the_openapi_document_describes_every_operation_and_the_token():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == OPERATIONS
    assert document["components"]["securitySchemes"] == {
        "BearerToken": {"type": "http", "scheme": "bearer"}
    }
    for path, operations in document["paths"].items():
        get = operations["get"]
        assert get["security"] == [{"BearerToken": []}], path
        assert {"200", "401", "422", "429"} <= set(get["responses"]), path


def test_the_docs_page_loads_nothing_from_other_hosts():
    client = Client()
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) == 4
    for url in assets:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset["Cache-Control"] == "no-store"
        body = b"".join(asset.streaming_content)
        assert body


def test_only_the_listed_assets_are_served():
    client = Client()
    assert client.get("/api/v1/docs/assets/redoc.standalone.js").status_code == 404
    assert client.get("/api/v1/docs/assets/..%2F..%2F__init__.py").status_code == 404
