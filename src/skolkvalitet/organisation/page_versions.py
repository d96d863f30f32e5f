"""The versions of what the result pages show, for the page cache (dashboards/page_cache.py).

Every cached page is keyed by two tokens kept in the page cache (the `pages` alias of
CACHES): the installation's and its organiser's. A write that changes what a page shows
replaces a token (`pages_changed`): every page cached under the old one is never read again
and ages out of the cache. Tokens are random, never counters, so a cache that loses a token
(cleared, culled, restarted) draws a new one: that can only cause misses, never an old page.

`pages_changed` replaces the token at once and again when the transaction it runs in
commits. The second replacement is the one that matters: until the commit, another process
reads the old figures and may cache them under a token replaced at once; after it, nobody
can. Outside a transaction both happen at once. With `warm=True` it then asks for the pages
to be rendered ahead of the users (`pages_warm_requested`, which dashboards answers), after
the commit and never inside a test's transaction.

This module sits low (organisation) so that every layer that writes what pages show may
call it: the indicator engine's materialisation, the imports, the calendar, the targets.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from django.core.cache import caches
from django.db import connection, transaction
from django.dispatch import Signal

PAGE_CACHE = "pages"

# Sent after the commit of a change asked to warm the pages: organiser_id (None: every
# organiser). dashboards/page_cache.py renders the organisers' pages when it arrives.
pages_warm_requested = Signal()


def database_tag() -> str:
    """A short tag of the database this process reads: two installations, or two test
    databases, sharing one cache directory or Redis never share a token or a page."""
    settings = connection.settings_dict
    name = f"{connection.vendor}|{settings.get('HOST')}|{settings.get('PORT')}|{settings['NAME']}"
    return hashlib.sha256(name.encode()).hexdigest()[:12]


def version_key(organiser_id: int | None) -> str:
    return f"pv:{database_tag()}:{organiser_id if organiser_id is not None else 'all'}"


def versions(organiser_ids: Iterable[int]) -> str:
    """The tokens a page showing `organiser_ids` is cached under (the installation's, then
    each organiser's), drawing a token where the cache has none."""
    cache = caches[PAGE_CACHE]
    keys = [version_key(None), *(version_key(pk) for pk in sorted(set(organiser_ids)))]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            token = secrets.token_hex(8)
            # add(): two processes drawing at once agree on the one that was stored first.
            cache.add(key, token, timeout=None)
            found[key] = cache.get(key) or token
    return ".".join(str(found[key]) for key in keys)


def _replace(organiser_id: int | None) -> None:
    caches[PAGE_CACHE].set(version_key(organiser_id), secrets.token_hex(8), timeout=None)


def pages_changed(*, organiser_id: int | None = None, warm: bool = False) -> None:
    """What the pages of `organiser_id` (None: of every organiser) show has changed: replace
    its token now and after the commit, then, with `warm`, ask for the pages to be warmed."""
    _replace(organiser_id)

    def after_commit() -> None:
        _replace(organiser_id)
        if warm:
            # robust: a page that fails to warm is logged and never fails the write.
            pages_warm_requested.send_robust(sender=None, organiser_id=organiser_id)

    transaction.on_commit(after_commit)
