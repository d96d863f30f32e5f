"""/api/v1/...: the JSON API (docs/api.md). Every answer, errors and the docs page included,
carries `Cache-Control: no-store`: figures must not linger in shared or browser caches."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver, include, path

from skolkvalitet.api.api import api
from skolkvalitet.api.auth import api_request_record
from skolkvalitet.api.docs import docs_asset

app_name = "api"


def no_store(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        api_request_record(request, response)  # each use of a token is audit-logged
        return response

    return wrapped


def _no_store_all(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _no_store_all(pattern.url_patterns)
        else:
            pattern.callback = no_store(pattern.callback)
    return patterns


_api_patterns, _api_app, _api_namespace = api.urls

urlpatterns = [
    path("v1/", include((_no_store_all(_api_patterns), _api_app), namespace=_api_namespace)),
    path("v1/docs/assets/<str:name>", no_store(docs_asset), name="docs-asset"),
]
