"""A local SS 12000 server for the tests, held to the official spec.

It serves a DataSet (data.py) through the spec's collection paths under /v2.0, on 127.0.0.1
in a thread. Every request and every response goes through openapi-core's validators for
ist-group/ss12k2xsd, openapi_ss12000_version2_1_0.yaml (MIT): a request the spec does not
allow, or a response that does not match its schema, is recorded in `violations`, which the
fixture asserts empty; so neither the server nor the client's requests can drift from the
spec unnoticed.

Behaviour, as the spec describes it: bearer token (401 with the spec's Error object
otherwise), `limit` capped at a small page size so that paging happens, an opaque
`pageToken` (null on the last page) that may not be combined with other filters (400),
`meta.modified.after` (exclusive), and aggregatedAttendance filtered by organisation and
period (the records, one per month, that lie inside the dates asked for). `fail` makes a
resource answer with an HTTP error, for the failure tests.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

import yaml
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from tests.ingest.ss12000.data import TOKEN, DataSet
from tests.public_data import public_data
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

SPEC_PATH = public_data() / "ss12000" / "openapi_ss12000_version2_1_0.yaml"
PREFIX = "/v2.0"
# With a page token only `limit` may be sent, and the parameters the spec makes required.
ALLOWED_WITH_TOKEN = {"pageToken", "limit", "startDate", "endDate"}


def load_spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as file:
        return yaml.safe_load(file)


@dataclass
class Ss12000TestServer:
    data: DataSet
    spec: dict[str, Any]
    page_size: int = 3
    token: str = TOKEN
    fail: dict[str, tuple[int, dict[str, str]]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, list[str]]]] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    _pages: dict[str, tuple[list[dict], int]] = field(default_factory=dict)

    def start(self) -> None:
        self._http = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self._http.server_port}{PREFIX}"
        spec = {**self.spec, "servers": [{"url": self.url}]}
        self._openapi = OpenAPI.from_dict(spec)
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._http.shutdown()
        self._thread.join(timeout=5)

    # --- changing the data between syncs ------------------------------------------------

    def modify(self, resource: str, item_id: str, **changes: Any) -> None:
        """Change an object as its source system would: the new values and meta.modified
        set to now."""
        for item in self.data.resources[resource]:
            if item["id"] == item_id:
                item.update(changes)
                item["meta"] = {**item["meta"], "modified": _now()}
                return
        raise KeyError(item_id)

    def requests_to(self, resource: str) -> list[dict[str, list[str]]]:
        return [args for path, args in self.requests if path == f"{PREFIX}/{resource}"]

    # --- WSGI ---------------------------------------------------------------------------

    def wsgi(self, environ, start_response):
        request = Request(environ)
        self.requests.append((request.path, request.args.to_dict(flat=False)))
        openapi_request = WerkzeugOpenAPIRequest(request)
        try:
            self._openapi.validate_request(openapi_request)
        except Exception as error:
            if request.headers.get("Authorization") == f"Bearer {self.token}":
                self.violations.append(f"request {request.full_path}: {_reason(error)}")
        response = self._answer(request)
        try:
            self._openapi.validate_response(openapi_request, WerkzeugOpenAPIResponse(response))
        except Exception as error:
            self.violations.append(f"response to {request.full_path}: {_reason(error)}")
        return response(environ, start_response)

    def _answer(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _error(401, "unauthorized", "Missing or invalid bearer token.")
        resource = request.path.removeprefix(f"{PREFIX}/")
        if resource in self.fail:
            status, body = self.fail[resource]
            return Response(json.dumps(body), status=status, mimetype="application/json")
        if resource not in self.data.resources and resource != "aggregatedAttendance":
            return Response(status=404)
        args = request.args
        token = args.get("pageToken")
        if token is not None:
            if set(args) - ALLOWED_WITH_TOKEN:
                return _error(400, "filter_with_token", "pageToken cannot be combined.")
            if token not in self._pages:
                return _error(400, "bad_token", "Unknown pageToken.")
            items, offset = self._pages.pop(token)
        else:
            items, offset = self._select(resource, args), 0
        limit = min(int(args.get("limit", self.page_size)), self.page_size)
        page = items[offset : offset + limit]
        next_token = None
        if offset + limit < len(items):
            next_token = uuid.uuid4().hex
            self._pages[next_token] = (items, offset + limit)
        body = {"data": page, "pageToken": next_token}
        return Response(json.dumps(body), status=200, mimetype="application/json")

    def _select(self, resource: str, args) -> list[dict[str, Any]]:
        if resource == "aggregatedAttendance":
            first = dt.date.fromisoformat(args["startDate"])
            last = dt.date.fromisoformat(args["endDate"])
            return [
                {**record, "startDate": first.isoformat(), "endDate": last.isoformat()}
                for unit, start, end, record in self.data.attendance
                if unit == args.get("organisation") and start >= first and end <= last
            ]
        items = list(self.data.resources[resource])
        after = args.get("meta.modified.after")
        if after is not None:
            moment = dt.datetime.fromisoformat(after)
            items = [i for i in items if dt.datetime.fromisoformat(i["meta"]["modified"]) > moment]
        return items


def _error(status: int, code: str, message: str) -> Response:
    body = json.dumps({"code": code, "message": message})
    return Response(body, status=status, mimetype="application/json")


def _reason(error: Exception) -> str:
    cause = error.__cause__ or error
    details = getattr(cause, "schema_errors", None)
    if details:
        return "; ".join(str(getattr(e, "message", e)) for e in details)[:2000]
    return str(cause)[:2000]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
