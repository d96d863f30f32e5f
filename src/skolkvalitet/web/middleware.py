"""Middleware of our own: no caching of pages with pupil data, and the session's idle and
absolute timeouts (docs/security.md, "Web hardening"; the settings in config/settings.py).

The Content-Security-Policy itself comes from django-csp's middleware."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

Handler = Callable[[HttpRequest], HttpResponse]

# The published quality reports (quality/public_urls.py): public documents, which browsers and
# proxies may keep as long as the request carries no login.
PUBLIC_PREFIXES = ("/offentlig/",)

# Session keys: when the session was first seen logged in, and when its user was last active
# (both whole seconds since the epoch).
SESSION_STARTED = "_skolkvalitet_started"
SESSION_SEEN = "_skolkvalitet_seen"
# The last-activity stamp is renewed at most this often, so that a session is written to the
# database about once a minute of use rather than on every request (on SQLite every write waits
# for a running import's transaction).
SEEN_RESOLUTION = 60


def cacheable(request: HttpRequest) -> bool:
    """Whether the response may be kept by the browser or a proxy: only a public page asked for
    without a login."""
    return request.path_info.startswith(PUBLIC_PREFIXES) and not request.user.is_authenticated


class NoStoreMiddleware:
    """`Cache-Control: no-store` (with Django's never-cache headers) on every response except a
    public page without a login: pages, fragments, downloads and API answers may hold pupil data
    and must not stay in a shared computer's browser cache or a proxy. A response that already
    says no-store (the API's) is left as it is. Static files are answered by WhiteNoise before
    this middleware and keep their long cache lifetime."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not cacheable(request) and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response


def session_started(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """At login (the user_logged_in signal, connected in web/apps.py): the session's stamps,
    saved with the login itself rather than by the next request."""
    if request is None:
        return
    now = int(time.time())
    request.session[SESSION_STARTED] = now
    request.session[SESSION_SEEN] = now


def session_expired(started: int | None, seen: int | None, now: int) -> bool:
    """Whether a logged-in session has ended: idle for longer than SKOLKVALITET_SESSION_IDLE
    seconds since its last activity, or older than SKOLKVALITET_SESSION_MAX_AGE seconds."""
    if seen is not None and now - seen > settings.SKOLKVALITET_SESSION_IDLE:
        return True
    return started is not None and now - started > settings.SKOLKVALITET_SESSION_MAX_AGE


def htmx_to_login(request: HttpRequest) -> HttpResponse:
    """For an htmx request (a fragment, a poll): send the whole page to the login, and back to
    it afterwards, rather than let htmx put the login page into the fragment's place."""
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    back = urlunsplit(("", "", current.path, current.query, "")) or request.get_full_path()
    response = HttpResponse(status=204)
    response["HX-Redirect"] = redirect_to_login(back).url
    return response


class SessionTimeoutMiddleware:
    """Logs a user out after SKOLKVALITET_SESSION_IDLE seconds without a request (30 minutes by
    default) and after SKOLKVALITET_SESSION_MAX_AGE seconds in all (8 hours), active or not.
    The request that finds the session ended goes on logged out (a page asks for the login, with
    a message saying why; an htmx request sends its whole page there). Activity is recorded to
    the minute (SEEN_RESOLUTION)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            session = request.session
            now = int(time.time())
            started = session.get(SESSION_STARTED)
            seen = session.get(SESSION_SEEN)
            if session_expired(started, seen, now):
                logout(request)
                messages.info(request, _("Your session has ended. Log in again."))
                if request.headers.get("HX-Request"):
                    return htmx_to_login(request)
            else:
                if started is None:
                    session[SESSION_STARTED] = now
                if seen is None or now - seen >= SEEN_RESOLUTION:
                    session[SESSION_SEEN] = now
        return self.get_response(request)
