"""The JSON API, version 1 (docs/api.md): one NinjaAPI with token authentication, our error
answers (JSON, translatable) and the OpenAPI document at /api/v1/openapi.json."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, Throttled, ValidationError

from skolkvalitet.api.auth import BearerToken
from skolkvalitet.api.docs import VendoredSwagger
from skolkvalitet.api.endpoints import indicators, organisation, quality, reference
from skolkvalitet.api.throttling import TokenRateThrottle

DESCRIPTION = """\
Indicator values and reference values for integrations. Authenticate with
`Authorization: Bearer <token>` (a token from `skolkvalitet api_token create`).
The token's user's roles decide which nodes it sees and whether small figures are
suppressed, exactly as on the pages. See docs/api.md.
"""

api = NinjaAPI(
    title="Skolkvalitet API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api:api-v1",
    auth=BearerToken(),
    docs=VendoredSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    throttle=[TokenRateThrottle()],
)
api.add_router("", organisation.router)
api.add_router("", indicators.router)
api.add_router("", reference.router)
api.add_router("", quality.router)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request,
        {"detail": _("A valid API token is required (Authorization: Bearer <token>).")},
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="skolkvalitet"'
    return response


@api.exception_handler(ValidationError)
def invalid_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "loc": [str(part) for part in e.get("loc", ())],
            "msg": e.get("msg", ""),
            "type": e.get("type", ""),
        }
        for e in exc.errors
    ]
    return api.create_response(
        request, {"detail": _("The request is not valid."), "errors": errors}, status=422
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = api.create_response(
        request, {"detail": _("Too many requests: wait and try again.")}, status=429
    )
    if exc.wait is not None:
        response["Retry-After"] = str(exc.wait)
    return response
