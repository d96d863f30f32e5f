"""The page cache: the result pages' content rendered once per data version and read from
Django's cache (the `pages` alias; docs/results-pages.md "Page cache") until the data change.

What is cached is a page's body, never the whole response: the part inside the page's main
element (or the whole htmx fragment), rendered without the request, so that it cannot hold
anything of the user who first asked for it — no name, no navigation, no CSRF token, no
messages. The page around it (base.html) is rendered for each request.

A body is keyed by
- the data version: the installation's and the organisers' tokens
  (organisation/page_versions.py), replaced by every write that changes what pages show;
- what the user may see and do: each grant's node path with the capabilities its role gives
  there (`scope_class`). Two users with the same grants share pages (every board member of
  an organiser, every förvaltning user); a user with pupil access never shares with one
  without (whose figures are suppressed), nor with one who sees other nodes;
- the view, the path (node), the whole query string (period, filters, breakdown, chart) and
  whether htmx asked for a fragment;
- the language, and the version of the code (`code_version`: an upgrade renders anew).

Beside each body the cache keeps it compressed (`cached_segment`, key + ":deflate"), which
page_responses.py splices into gzip responses (gzip_splice.py).
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from skolkvalitet.dashboards.gzip_splice import Segment, segment
from skolkvalitet.organisation.page_versions import PAGE_CACHE, database_tag, versions
from skolkvalitet.organisation.roles import Capability
from skolkvalitet.organisation.scopes import Scope, organiser_ids

logger = logging.getLogger("skolkvalitet.page_cache")


def scope_class(scope: Scope) -> str:
    """What a cached page may depend on of the user: each grant's path with the capabilities
    it gives there (organiser-only ones only on an organiser). Never the user's id or name."""
    grants = sorted(
        {(g.path, ",".join(sorted(c for c in Capability if g.allows(c)))) for g in scope.grants}
    )
    return hashlib.sha256(repr(grants).encode()).hexdigest()[:20]


@functools.cache
def code_version() -> str:
    """A digest of the code, templates and translations this process runs: a page cached by
    another version of the product (before an upgrade) is never served by this one."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in {".py", ".html", ".mo"} and path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def page_key(*, view: str, scope: Scope, path: str, query: str, partial: bool) -> str:
    """The cache key of a page body (see the module's docstring for what goes into it)."""
    parts = (
        view,
        code_version(),
        versions(organiser_ids(g.path for g in scope.grants)),
        scope_class(scope),
        translation.get_language() or "",
        "fragment" if partial else "page",
        path,
        query,
    )
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"page:{database_tag()}:{view}:{digest}"


def cached_body(
    *, view: str, scope: Scope, path: str, query: str, partial: bool, render: Callable[[], str]
) -> SafeString:
    """The body of a page from the cache, or rendered by `render()` and stored."""
    key = page_key(view=view, scope=scope, path=path, query=query, partial=partial)
    return _cached_text(key, render)


def _cached_text(key: str, render: Callable[[], str]) -> SafeString:
    cache = caches[PAGE_CACHE]
    body = cache.get(key)
    if body is None:
        body = render()
        cache.set(key, body)
    return mark_safe(body)  # our own templates' output, escaped as they rendered it


# The compressed segment's key: the body's key and this.
COMPRESSED = ":deflate"


def compressing() -> bool:
    """Whether pages are served from compressed bodies: only with a page cache (with none,
    `SKOLKVALITET_PAGE_CACHE=off`, every body would be compressed anew for each request)."""
    return not isinstance(caches[PAGE_CACHE], DummyCache)


def cached_segment(
    *, view: str, scope: Scope, path: str, query: str, partial: bool, render: Callable[[], str]
) -> Segment:
    """The body of a page compressed (gzip_splice.segment), from the cache, or made from
    cached_body's and stored beside it under the same key (one key computed once): both
    become old together."""
    cache = caches[PAGE_CACHE]
    key = page_key(view=view, scope=scope, path=path, query=query, partial=partial)
    found = cache.get(key + COMPRESSED)
    if found is None:
        found = segment(_cached_text(key, render))
        cache.set(key + COMPRESSED, found)
    return found


def is_cached(
    *,
    view: str,
    scope: Scope,
    path: str,
    query: str = "",
    partial: bool = False,
    compressed: bool = False,
) -> bool:
    """Whether the body of that page is in the cache (and, with `compressed`, its compressed
    segment too: warming skips the page only then)."""
    key = page_key(view=view, scope=scope, path=path, query=query, partial=partial)
    cache = caches[PAGE_CACHE]
    return cache.get(key) is not None and (
        not compressed or cache.get(key + COMPRESSED) is not None
    )
