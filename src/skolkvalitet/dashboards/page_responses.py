"""Responses of the cached result pages: the page around a cached body, gzip-compressed
without compressing the body again where the client accepts gzip (gzip_splice.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.regex_helper import _lazy_re_compile
from django.utils.safestring import mark_safe

from skolkvalitet.dashboards.gzip_splice import gzip_around
from skolkvalitet.dashboards.page_cache import cached_body, cached_segment, compressing
from skolkvalitet.organisation.scopes import Scope

T = TypeVar("T")

# As Django's GZipMiddleware tells whether a client accepts gzip, and "gzip;q=0" refusing it.
_ACCEPTS_GZIP = _lazy_re_compile(r"\bgzip\b")
_REFUSES_GZIP = _lazy_re_compile(r"\bgzip\s*;\s*q\s*=\s*0(\.0{0,3})?\s*(,|$)")
# Where the body goes in the rendered page around it: characters of Unicode's private use
# area, which neither the templates nor escaped text produce.
_BODY = "\ue000skolkvalitet-page-body\ue000"


@dataclass(frozen=True)
class _Key:
    """What a page's body is cached by (page_cache.page_key)."""

    view: str
    scope: Scope
    path: str
    query: str
    partial: bool

    def read(self, fetch: Callable[..., T], render: Callable[[], str]) -> T:
        """`fetch` (page_cache.cached_body or cached_segment) of the body under this key."""
        return fetch(
            view=self.view,
            scope=self.scope,
            path=self.path,
            query=self.query,
            partial=self.partial,
            render=render,
        )


def _gzip(request: HttpRequest) -> bool:
    """Whether to answer with gzip: with a page cache, to a client that accepts it, and only
    for a page without a query string. A body shows its query (the download links carry it),
    and text of the request compressed with the figures would let another site guess them
    from the compressed length (BREACH); a page's path holds only the ids of the nodes the
    user may see."""
    accepted = request.headers.get("Accept-Encoding", "")
    return (
        compressing()
        and not request.META.get("QUERY_STRING")
        and bool(_ACCEPTS_GZIP.search(accepted))
        and not _REFUSES_GZIP.search(accepted)
    )


def page_response(
    request: HttpRequest,
    template_name: str,
    context: Mapping[str, object],
    *,
    view: str,
    scope: Scope,
    render_body: Callable[[], str],
) -> HttpResponse:
    """`template_name` rendered for this request with the page's cached `body` in it
    (page_cache.cached_body, keyed by `view`, `scope`, the path and the query)."""
    key = _Key(view, scope, request.path, request.GET.urlencode(), partial=False)
    if _gzip(request):
        page = render_to_string(template_name, {**context, "body": mark_safe(_BODY)}, request)
        prefix, found, suffix = page.partition(_BODY)
        if found and _BODY not in suffix:
            body = key.read(cached_segment, render_body)
            return _gzipped(gzip_around(prefix.encode(), body, suffix.encode()))
        # A template without the body, or with it twice: the page as it is, uncompressed
        # (rendered once only: rendering consumes the user's messages).
        response = HttpResponse(page.replace(_BODY, key.read(cached_body, render_body)))
        patch_vary_headers(response, ("Accept-Encoding",))
        return response
    body_text = key.read(cached_body, render_body)
    response = render(request, template_name, {**context, "body": body_text})
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def fragment_response(
    request: HttpRequest, *, view: str, scope: Scope, render_body: Callable[[], str]
) -> HttpResponse:
    """An htmx fragment: the cached body alone (keyed as a fragment)."""
    key = _Key(view, scope, request.path, request.GET.urlencode(), partial=True)
    if _gzip(request):
        return _gzipped(gzip_around(b"", key.read(cached_segment, render_body), b""))
    response = HttpResponse(key.read(cached_body, render_body))
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def _gzipped(content: bytes) -> HttpResponse:
    response = HttpResponse(content)
    response.headers["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ("Accept-Encoding",))
    return response
