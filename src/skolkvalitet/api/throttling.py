"""Rate limits of the API (docs/api.md "Rate limits", docs/security.md "Logins"):

- each token may make SKOLKVALITET_API_RATE requests (default 600 a minute), counted by
  django-ninja's throttle on the token's id;
- each client address may make SKOLKVALITET_API_ANONYMOUS_RATE requests (default 60 a minute)
  without a valid token (none, another scheme, or refused), answered 401 until then and 429
  after, so that requests no token stands behind cannot wear the server out;
- each client address may present SKOLKVALITET_API_FAILED_TOKENS_PER_HOUR (default 20) tokens
  that are refused (unknown, revoked, expired) in an hour; after that every request from it is
  answered 429 with Retry-After until the hour has passed, so tokens cannot be guessed.

Counts live in Django's cache: the default is per process, so behind several server processes
each counts alone unless CACHES names a shared cache (docs/operations.md)."""

from __future__ import annotations

import logging
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.errors import Throttled
from ninja.throttling import SimpleRateThrottle

from skolkvalitet.organisation.client_address import client_address

logger = logging.getLogger("skolkvalitet.security")

FAILURE_WINDOW_SECONDS = 3600


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token (request.auth is the ApiToken once it is authenticated)."""

    scope = "token"

    def __init__(self) -> None:
        super().__init__(rate=settings.SKOLKVALITET_API_RATE)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        token = getattr(request, "auth", None)
        if token is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}


class AnonymousRateThrottle(SimpleRateThrottle):
    """Requests without a valid token, per client address (behind SKOLKVALITET_PROXY_COUNT
    trusted proxies, as the audit log reads it)."""

    scope = "anonymous"

    def __init__(self) -> None:
        super().__init__(rate=settings.SKOLKVALITET_API_ANONYMOUS_RATE)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        return self.cache_format % {
            "scope": self.scope,
            "ident": client_address(request) or "unknown",
        }


def anonymous_request_check(request: HttpRequest) -> None:
    """Count a request without a valid token; raise Throttled past the address's rate."""
    throttle = AnonymousRateThrottle()
    if not throttle.allow_request(request):
        wait = throttle.wait()
        raise Throttled(wait=math.ceil(wait) if wait is not None else None)


def _failure_key(address: str | None) -> str:
    return f"api_token_failures_{address or 'unknown'}"


def refused_tokens_check(request: HttpRequest) -> None:
    """Raise Throttled when the request's address has had too many tokens refused."""
    limit = settings.SKOLKVALITET_API_FAILED_TOKENS_PER_HOUR
    failures = cache.get(_failure_key(client_address(request)))
    if failures is None:
        return
    count, first = failures
    wait = first + FAILURE_WINDOW_SECONDS - time.time()
    if count >= limit and wait > 0:
        raise Throttled(wait=math.ceil(wait))


def refused_token_record(request: HttpRequest) -> None:
    """Count a refused token for the request's address and log it (never the token)."""
    address = client_address(request)
    key = _failure_key(address)
    now = time.time()
    count, first = cache.get(key) or (0, now)
    if now - first >= FAILURE_WINDOW_SECONDS:
        count, first = 0, now
    cache.set(key, (count + 1, first), timeout=FAILURE_WINDOW_SECONDS)
    logger.warning("api token refused from %s (%d in the hour)", address, count + 1)
