"""Fixtures: the official spec (read once), a running test server with the data set, and a
client for it. The server fixture fails the test if any request or response broke the spec."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import translation
from tests.ingest.ss12000.data import TOKEN, DataSet, make_data_set
from tests.ingest.ss12000.server import Ss12000TestServer, load_spec

from skolkvalitet.ingest.ss12000.client import Ss12000Client

TODAY = dt.date(2026, 3, 1)  # spring term of 2025/26: the autumn term is over


@pytest.fixture(scope="session")
def spec() -> dict:
    return load_spec()


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are compared in English here; the Swedish catalogue is checked elsewhere."""
    with translation.override("en"):
        yield


@pytest.fixture
def data() -> DataSet:
    return make_data_set(TODAY)


@pytest.fixture
def server(spec, data) -> Iterator[Ss12000TestServer]:
    server = Ss12000TestServer(data=data, spec=spec)
    server.start()
    yield server
    server.stop()
    assert server.violations == [], "the test server or the client broke the SS 12000 spec"


@pytest.fixture
def client(server) -> Iterator[Ss12000Client]:
    with Ss12000Client(server.url, token=TOKEN, timeout=5) as client:
        yield client
