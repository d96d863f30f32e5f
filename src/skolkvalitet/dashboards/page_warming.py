"""Warming the page cache: after a materialisation, the pages most people open first are
rendered before anyone asks, within a time budget (SKOLKVALITET_PAGE_CACHE_WARM_SECONDS).

For each organiser (or the one whose data changed) and each role class that is granted on
the organiser node (förvaltningsledning and analysts with real figures, the board with
suppressed ones), in this order until the budget is spent: the overview of every class, then
unit by unit the unit page and its groups fragment of every class. Each is rendered exactly
as a user's request would render it (the same key), so a user of the same grants reads it
from the cache. A user whose grants differ (a rektor on one unit, a coach on an area) is
served on first request and from the cache after that.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation

from skolkvalitet.dashboards import views
from skolkvalitet.dashboards.page_cache import cached_segment, is_cached
from skolkvalitet.organisation.models import Node, NodeKind
from skolkvalitet.organisation.models.roles import Role
from skolkvalitet.organisation.page_versions import PAGE_CACHE, pages_warm_requested
from skolkvalitet.organisation.scopes import Grant, Scope

logger = logging.getLogger("skolkvalitet.page_cache")

# The roles whose pages are warmed, as granted on the organiser node: real figures with the
# right to set targets, real figures, and suppressed figures.
WARMED_ROLES = (Role.ORGANISER_ADMIN, Role.BOARD, Role.ANALYST)


@dataclass
class WarmResult:
    rendered: int = 0
    already: int = 0
    left: int = 0  # not reached within the budget
    seconds: float = 0.0


@dataclass(frozen=True)
class _Page:
    view: str
    scope: Scope
    path: str
    partial: bool
    render: Callable[[], str]


def _pages(organiser: Node) -> Iterator[_Page]:
    scopes = [
        Scope(user_id=None, grants=(Grant(organiser.pk, organiser.path, role),))
        for role in WARMED_ROLES
    ]
    empty = QueryDict()
    overview = reverse("overview")
    for scope in scopes:
        yield _Page("overview", scope, overview, False, partial(views.overview_body, scope, empty))
    units = Node.objects.filter(
        kind=NodeKind.UNIT, path__startswith=organiser.path, is_active=True
    ).order_by("name")
    for unit in units:
        page = reverse("unit", args=[unit.pk])
        groups = reverse("unit_groups", args=[unit.pk])
        for scope in scopes:
            yield _Page(
                "unit",
                scope,
                page,
                False,
                partial(views.unit_body, scope, unit, page, empty, ""),
            )
            yield _Page(
                "unit_groups",
                scope,
                groups,
                True,
                partial(views.unit_groups_body, scope, unit, groups, empty, partial=True),
            )


def pages_warm(*, organiser_id: int | None = None, seconds: float) -> WarmResult:
    """Render the pages of `organiser_id` (None: of every organiser) into the page cache
    until `seconds` have passed; pages already cached are left as they are."""
    started = time.monotonic()
    result = WarmResult()
    if seconds <= 0 or isinstance(caches[PAGE_CACHE], DummyCache):
        return result
    organisers = Node.objects.filter(kind=NodeKind.ORGANISER, is_active=True).order_by("pk")
    if organiser_id is not None:
        organisers = organisers.filter(pk=organiser_id)
    with translation.override(settings.LANGUAGE_CODE):
        for organiser in organisers:
            for page in _pages(organiser):
                if time.monotonic() - started > seconds:
                    result.left += 1
                    continue
                if is_cached(
                    view=page.view,
                    scope=page.scope,
                    path=page.path,
                    partial=page.partial,
                    compressed=True,
                ):
                    result.already += 1
                    continue
                cached_segment(
                    view=page.view,
                    scope=page.scope,
                    path=page.path,
                    query="",
                    partial=page.partial,
                    render=page.render,
                )
                result.rendered += 1
    result.seconds = time.monotonic() - started
    return result


def _warm_requested(sender: object, organiser_id: int | None = None, **kwargs: object) -> None:
    try:
        result = pages_warm(
            organiser_id=organiser_id, seconds=settings.SKOLKVALITET_PAGE_CACHE_WARM_SECONDS
        )
    except Exception:  # warming is a courtesy: the write it follows has succeeded
        logger.exception("warming the page cache failed")
        return
    logger.info(
        "page cache warmed: %d pages rendered, %d already cached, %d left, %.1f s",
        result.rendered,
        result.already,
        result.left,
        result.seconds,
    )


def page_warming_connect() -> None:
    """Connect the receiver (DashboardsConfig.ready)."""
    pages_warm_requested.connect(_warm_requested, dispatch_uid="page_cache:warm")
