"""The SS 12000 client: paging by pageToken, incremental reads, and errors that say what
failed. Against the spec-validating test server, except for answers a server held to the
spec cannot give (not JSON, objects without required fields), which use a mock transport."""

from __future__ import annotations

import datetime as dt
import math
import socket

import httpx
import pytest
from tests.ingest.ss12000.data import TOKEN, uid

from skolkvalitet.ingest.ss12000.client import Ss12000Client, Ss12000Error


def test_a_collection_is_read_across_pages_following_the_page_token(server, client, data):
    persons = client.collect("persons")

    assert [p["id"] for p in persons.items] == [p["id"] for p in data.resources["persons"]]
    assert persons.pages == math.ceil(len(data.resources["persons"]) / server.page_size) > 2
    first, *later = server.requests_to("persons")
    assert "pageToken" not in first
    for args in later:  # the spec forbids other filters beside a page token
        assert set(args) == {"pageToken", "limit"}


def test_iterate_yields_the_objects_one_by_one_over_pages(client, data):
    ids = [group["id"] for group in client.iterate("groups")]

    assert ids == [group["id"] for group in data.resources["groups"]]


def test_modified_after_asks_only_for_objects_changed_since(server, client):
    first = client.collect("grades")
    server.modify("grades", uid("grade Ida MA HT2025"), gradeValue="B")

    changed = client.collect("grades", modified_after=first.server_time)

    assert [g["id"] for g in changed.items] == [uid("grade Ida MA HT2025")]
    assert changed.incremental
    (args,) = server.requests_to("grades")[-1:]
    assert args["meta.modified.after"] == [first.server_time.isoformat()]


def test_the_server_time_comes_from_the_date_header(client):
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)

    collection = client.collect("organisations")

    assert before - dt.timedelta(seconds=1) <= collection.server_time
    assert collection.server_time <= dt.datetime.now(dt.UTC)


def test_a_wrong_token_is_reported_with_the_servers_error(server):
    with Ss12000Client(server.url, token="wrong") as client, pytest.raises(Ss12000Error) as error:
        client.collect("organisations")

    message = str(error.value)
    assert "HTTP 401" in message and "Check --token or SS12000_TOKEN" in message
    assert "Missing or invalid bearer token. (unauthorized)" in message
    assert error.value.status == 401 and error.value.code == "unauthorized"


def test_a_missing_token_is_reported_too(server):
    with Ss12000Client(server.url) as client, pytest.raises(Ss12000Error, match="HTTP 401"):
        client.collect("persons")


def test_a_server_error_is_reported_with_the_path_and_the_error_body(server, client):
    server.fail["grades"] = (500, {"code": "db_down", "message": "Database unavailable"})

    with pytest.raises(Ss12000Error) as error:
        client.collect("grades")

    assert str(error.value) == (
        f"The SS 12000 server answered {server.url}/grades with HTTP 500. "
        "The server said: Database unavailable (db_down)"
    )


def test_access_denied_is_reported_as_such(server, client):
    server.fail["persons"] = (403, {"code": "forbidden", "message": "No access to persons"})

    with pytest.raises(Ss12000Error, match=r"denied access \(HTTP 403\)"):
        client.collect("persons")


def test_a_refused_connection_says_so():
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v2.0"

    with Ss12000Client(url, token=TOKEN, timeout=2) as client, pytest.raises(Ss12000Error) as error:
        client.collect("organisations")

    assert str(error.value) == (
        f"Could not connect to the SS 12000 server at {url}: connection refused."
    )


def mock_client(handler) -> Ss12000Client:
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return Ss12000Client("https://ss12000.example.se/v2.0", token=TOKEN, http=http)


def test_an_answer_that_is_not_json_is_reported():
    client = mock_client(lambda request: httpx.Response(200, text="<html>Login</html>"))

    with pytest.raises(Ss12000Error) as error:
        client.collect("persons")

    assert str(error.value) == (
        "The SS 12000 server's answer to https://ss12000.example.se/v2.0/persons is not valid JSON."
    )


def test_an_answer_without_a_data_list_is_reported():
    client = mock_client(lambda request: httpx.Response(200, json={"items": []}))

    with pytest.raises(Ss12000Error, match=r"has no list of objects \(data\)"):
        client.collect("groups")


def test_an_object_without_a_required_field_is_reported_with_its_id():
    person = {"id": "p-1", "meta": {"created": "x", "modified": "x"}, "givenName": "Alva"}
    client = mock_client(lambda request: httpx.Response(200, json={"data": [person]}))

    with pytest.raises(Ss12000Error) as error:
        client.collect("persons")

    assert str(error.value) == (
        "The SS 12000 server sent an object of persons (id p-1) without the required field "
        "familyName."
    )


def test_a_server_repeating_its_page_token_is_stopped():
    page = {"data": [], "pageToken": "again"}
    client = mock_client(lambda request: httpx.Response(200, json=page))

    with pytest.raises(Ss12000Error, match="same page token twice"):
        client.collect("grades")


def test_the_token_is_sent_as_a_bearer_header():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("Authorization"))
        return httpx.Response(200, json={"data": [], "pageToken": None})

    mock_client(handler).collect("organisations")

    assert seen == [f"Bearer {TOKEN}"]


def test_the_test_server_catches_objects_that_break_the_spec(server, client):
    """The guard behind every other test: a grade without a field the spec requires is
    recorded as a violation (and would fail the test)."""
    del server.data.resources["grades"][0]["adaptedStudyPlan"]

    client.collect("grades")

    assert len(server.violations) == 1
    assert "'adaptedStudyPlan' is a required property" in server.violations[0]
    server.violations.clear()
