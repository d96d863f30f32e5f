"""A client for the SS 12000:2020 REST API (version 2.1.0 of the implementation spec:
ist-group/ss12k2xsd, openapi_ss12000_version2_1_0.yaml, MIT).

It reads collection endpoints (GET /organisations, /persons, /grades, ...) page by page: the
first request carries the filters and `limit`; every response has `data` and a `pageToken`
that is null (or absent) on the last page; the next request sends only `pageToken` and
`limit`, because the spec forbids combining a page token with other filters (HTTP 400) --
except the parameters the spec makes required (aggregatedAttendance's startDate and
endDate), which every request must carry.
`meta.modified.after` (exclusive, RFC 3339) asks only for objects changed since a time.

Every failure is raised as Ss12000Error with a message that says what failed: the server
could not be reached, answered with an HTTP error (with the spec's Error body, code and
message, when it sent one), sent something that is not JSON, or sent objects that lack
fields the spec requires. Nothing here logs or repeats a response body's personal data.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0
DEFAULT_PAGE_SIZE = 500
MAX_PAGES = 100_000  # a server that never ends its pages is an error, not a hang

# The fields of each resource's objects that the spec marks required and that the sync
# relies on. (The spec also lists `schoolUnit` as required for grades without defining it;
# a grade's unit is its `organisation`, so it is not checked here.)
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "organisations": ("id", "meta", "displayName", "organisationType"),
    "persons": ("id", "meta", "givenName", "familyName"),
    "placements": ("id", "meta", "child", "placedAt", "schoolType", "startDate"),
    "duties": ("id", "meta", "dutyAt", "dutyRole", "startDate"),
    "groups": ("id", "meta", "displayName", "groupType", "organisation", "startDate"),
    "syllabuses": ("id", "meta", "schoolType", "subjectName", "official"),
    "grades": ("id", "student", "gradeValue", "finalGrade", "syllabus"),
    "absences": ("id", "meta", "student", "startTime", "endTime", "type"),
    "aggregatedAttendance": ("activity", "student", "startDate", "endDate", "attendanceSum"),
}


# Query parameters the spec makes required, which a next-page request must repeat although
# a page token may otherwise not be combined with filters.
REQUIRED_PARAMETERS: dict[str, tuple[str, ...]] = {
    "aggregatedAttendance": ("startDate", "endDate"),
}


class Ss12000Error(Exception):
    """A request to the SS 12000 server failed; the message (translated) says what and why."""

    def __init__(self, message: str, *, status: int | None = None, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


@dataclass
class Collection:
    """Every object of one collection, and the server's time when the first page was
    served (from its Date header): the watermark for the next incremental sync."""

    resource: str
    items: list[dict[str, Any]]
    server_time: dt.datetime
    pages: int
    incremental: bool = False  # only objects changed since meta.modified.after


class Ss12000Client:
    """Reads an SS 12000 server at `base_url` (e.g. https://ss12000.example.se/v2.0) with a
    bearer token. `http` may be a prepared httpx.Client (tests)."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        page_size: int = DEFAULT_PAGE_SIZE,
        http: httpx.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.page_size = page_size
        self.timeout = timeout
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = http or httpx.Client(timeout=timeout)
        self._headers = headers

    def __enter__(self) -> Ss12000Client:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- collections -----------------------------------------------------------------

    def collect(
        self,
        resource: str,
        *,
        params: Mapping[str, Any] | None = None,
        modified_after: dt.datetime | None = None,
    ) -> Collection:
        """All objects of `resource` (following pageToken), checked for required fields."""
        query = dict(params or {})
        if modified_after is not None:
            query["meta.modified.after"] = rfc3339(modified_after)
        items: list[dict[str, Any]] = []
        server_time: dt.datetime | None = None
        pages = 0
        for page, page_time in self._pages(resource, query):
            pages += 1
            server_time = server_time or page_time
            items.extend(page)
        for item in items:
            _check_required(resource, item)
        logger.info("SS 12000 %s: %d objects in %d pages", resource, len(items), pages)
        return Collection(
            resource, items, server_time or _now(), pages, incremental=modified_after is not None
        )

    def iterate(
        self, resource: str, *, params: Mapping[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        """The objects of `resource` one by one, page after page."""
        for page, _time in self._pages(resource, dict(params or {})):
            for item in page:
                _check_required(resource, item)
                yield item

    def _pages(
        self, resource: str, query: dict[str, Any]
    ) -> Iterator[tuple[list[dict[str, Any]], dt.datetime | None]]:
        params = {**query, "limit": self.page_size}
        seen: set[str] = set()
        for _page in range(MAX_PAGES):
            body, server_time = self._get(resource, params)
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, list) or not all(isinstance(i, dict) for i in data):
                raise Ss12000Error(
                    _("The SS 12000 server's answer to %(path)s has no list of objects (data).")
                    % {"path": self._path(resource)}
                )
            yield data, server_time
            token = body.get("pageToken")
            if not token:
                return
            if token in seen:
                raise Ss12000Error(
                    _("The SS 12000 server sent the same page token twice for %(path)s.")
                    % {"path": self._path(resource)}
                )
            seen.add(token)
            kept = {k: query[k] for k in REQUIRED_PARAMETERS.get(resource, ()) if k in query}
            params = {**kept, "pageToken": token, "limit": self.page_size}
        raise Ss12000Error(
            _("The SS 12000 server sent more than %(count)d pages for %(path)s.")
            % {"count": MAX_PAGES, "path": self._path(resource)}
        )

    # --- one request -----------------------------------------------------------------

    def _path(self, resource: str) -> str:
        return f"{self.base_url}/{resource}"

    def _get(self, resource: str, params: Mapping[str, Any]) -> tuple[Any, dt.datetime | None]:
        url = self._path(resource)
        try:
            response = self._http.get(url, params=params, headers=self._headers)
        except httpx.TimeoutException:
            raise Ss12000Error(
                _("The SS 12000 server did not answer %(path)s within %(seconds)s seconds.")
                % {"path": url, "seconds": f"{self.timeout:g}"}
            ) from None
        except httpx.ConnectError as error:
            raise Ss12000Error(
                _("Could not connect to the SS 12000 server at %(url)s: %(reason)s.")
                % {"url": self.base_url, "reason": _connect_reason(error)}
            ) from None
        except httpx.HTTPError as error:
            raise Ss12000Error(
                _("The request to the SS 12000 server failed (%(path)s): %(reason)s.")
                % {"path": url, "reason": error.__class__.__name__}
            ) from None
        if response.status_code != 200:
            raise _http_error(url, response)
        try:
            body = response.json()
        except ValueError:
            raise Ss12000Error(
                _("The SS 12000 server's answer to %(path)s is not valid JSON.") % {"path": url}
            ) from None
        return body, _server_time(response)


def _http_error(url: str, response: httpx.Response) -> Ss12000Error:
    """An error for a non-200 answer, with the spec's Error body (code, message) if given."""
    code, detail = _error_body(response)
    status = response.status_code
    if status == 401:
        message = _(
            "The SS 12000 server did not accept the token (HTTP 401) for %(path)s. "
            "Check --token or SS12000_TOKEN."
        )
    elif status == 403:
        message = _("The SS 12000 server denied access (HTTP 403) to %(path)s.")
    elif status == 404:
        message = _("The SS 12000 server does not offer %(path)s (HTTP 404).")
    else:
        message = _("The SS 12000 server answered %(path)s with HTTP %(status)d.")
    message = message % {"path": url, "status": status}
    if detail:
        message = _("%(message)s The server said: %(detail)s") % {
            "message": message,
            "detail": detail,
        }
    return Ss12000Error(message, status=status, code=code)


def _error_body(response: httpx.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    code = str(body.get("code") or "")
    message = str(body.get("message") or "")[:300]
    if code and message:
        return code, f"{message} ({code})"
    return code, message or code


def _connect_reason(error: httpx.ConnectError) -> str:
    text = str(error)
    if "refused" in text.lower():
        return _("connection refused")
    if "name" in text.lower() and ("resolution" in text.lower() or "known" in text.lower()):
        return _("unknown host name")
    return text or error.__class__.__name__


def _check_required(resource: str, item: dict[str, Any]) -> None:
    for field in REQUIRED_FIELDS.get(resource, ("id",)):
        if item.get(field) in (None, ""):
            raise Ss12000Error(
                _(
                    "The SS 12000 server sent an object of %(resource)s (id %(id)s) without "
                    "the required field %(field)s."
                )
                % {"resource": resource, "id": item.get("id") or "?", "field": field}
            )


def _server_time(response: httpx.Response) -> dt.datetime | None:
    header = response.headers.get("date")
    if not header:
        return None
    try:
        value = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def rfc3339(moment: dt.datetime) -> str:
    """'2025-03-01T10:30:00+00:00': the spec's date-time format."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat()
