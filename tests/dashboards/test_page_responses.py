"""The cached result pages compressed for clients that accept gzip
(dashboards/page_responses.py): the same page as without, the body compressed once per data
version and shared, the page around it each user's own; no compression without a page cache.

On the hand-computed facts of tests/indicators/test_materialise.py, as test_page_cache.py."""

from __future__ import annotations

import gzip
import re

import pytest
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.test import RequestFactory
from django.test.signals import template_rendered
from django.urls import reverse
from tests.dashboards.test_page_cache import (
    GROUPS_FRAGMENT,
    OVERVIEW_BODY,
    UNIT_BODY,
    logged_in,
    rendered,
    without_csrf,
)
from tests.indicators.test_materialise import facts, materialised  # noqa: F401

from skolkvalitet.dashboards.page_cache import COMPRESSED, is_cached, page_key
from skolkvalitet.dashboards.page_responses import page_response
from skolkvalitet.dashboards.page_warming import pages_warm
from skolkvalitet.organisation import actions
from skolkvalitet.organisation.models.roles import Role
from skolkvalitet.organisation.page_versions import PAGE_CACHE
from skolkvalitet.organisation.scopes import scope_for

pytestmark = pytest.mark.django_db

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def without_csrf_text(page: str) -> str:
    """The page without its CSRF token (masked anew in every response)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def unzipped(response) -> str:
    """The page a browser reads: the body decompressed (gzip checks its CRC and length)."""
    assert response["Content-Encoding"] == "gzip"
    return gzip.decompress(response.content).decode()


def test_a_client_that_accepts_gzip_gets_the_same_page_compressed(materialised, users):  # noqa: F811
    admin = logged_in(users.organiser_admin)
    plain = admin.get(reverse("overview"))
    assert "Content-Encoding" not in plain
    compressed = admin.get(reverse("overview"), headers=GZIP)
    assert len(compressed.content) < len(plain.content) / 3
    page = unzipped(compressed)
    assert "Norrskolan" in page and "<html" in page
    assert without_csrf(plain) == without_csrf_text(page)
    # Caches between the server and the browser keep the two apart.
    for response in (plain, compressed):
        assert "Accept-Encoding" in response["Vary"] and "Cookie" in response["Vary"]


def test_the_compressed_body_is_made_once_and_served_from_the_cache(materialised, users):  # noqa: F811
    admin = logged_in(users.organiser_admin)
    first = admin.get(reverse("overview"), headers=GZIP)
    second = admin.get(reverse("overview"), headers=GZIP)
    assert rendered(first, OVERVIEW_BODY)
    assert not rendered(second, OVERVIEW_BODY)
    assert rendered(second, "web/base.html")  # the page around it: each request's own
    assert without_csrf_text(unzipped(first)) == without_csrf_text(unzipped(second))
    # Stored beside the body under the same key, holding nothing of the user.
    scope = scope_for(users.organiser_admin)
    key = page_key(view="overview", scope=scope, path=reverse("overview"), query="", partial=False)
    stored = caches[PAGE_CACHE].get(key + COMPRESSED)
    assert stored.text() == caches[PAGE_CACHE].get(key)
    assert "csrfmiddlewaretoken" not in stored.text()
    assert users.organiser_admin.get_username() not in stored.text()


def test_each_user_gets_their_own_page_around_a_shared_compressed_body(
    materialised,  # noqa: F811
    users,
    make_user,
):
    other = make_user("greta", first_name="Greta", last_name="Andersson")
    actions.role_grant(user=other, node=materialised.org.organiser, role=Role.ORGANISER_ADMIN)
    users.organiser_admin.first_name, users.organiser_admin.last_name = "Agnes", "Berg"
    users.organiser_admin.save()
    first = logged_in(users.organiser_admin).get(reverse("overview"), headers=GZIP)
    second = logged_in(other).get(reverse("overview"), headers=GZIP)
    assert rendered(first, OVERVIEW_BODY)
    assert not rendered(second, OVERVIEW_BODY)  # the same grants: the body is shared
    mine, theirs = unzipped(first), unzipped(second)
    assert "Agnes Berg" in mine and "Greta Andersson" not in mine
    assert "Greta Andersson" in theirs and "Agnes Berg" not in theirs


def test_a_page_with_a_query_string_is_not_compressed(materialised, users):  # noqa: F811
    """Its body shows the query (the download links carry it): compressed with the figures,
    text another site put in the URL would let it guess them from the length (BREACH)."""
    admin = logged_in(users.organiser_admin)
    org = materialised.org
    by_area = admin.get(reverse("overview"), {"omrade": org.area_north.pk}, headers=GZIP)
    assert "Content-Encoding" not in by_area and "Norrskolan" in by_area.content.decode()
    assert "Accept-Encoding" in by_area["Vary"]
    table = admin.get(
        reverse("overview"), {"omrade": org.area_north.pk}, headers={**GZIP, "HX-Request": "1"}
    )
    assert "Content-Encoding" not in table


def test_a_client_that_refuses_gzip_gets_the_page_as_it_is(materialised, users):  # noqa: F811
    admin = logged_in(users.organiser_admin)
    for refusal in ("gzip;q=0", "br, gzip; q=0.0", "identity, gzip;q=0"):
        response = admin.get(reverse("overview"), headers={"Accept-Encoding": refusal})
        assert "Content-Encoding" not in response, refusal
    assert (
        admin.get(reverse("overview"), headers={"Accept-Encoding": "gzip;q=0.5"})[
            "Content-Encoding"
        ]
        == "gzip"
    )


def test_the_unit_page_and_the_htmx_fragment_are_compressed_too(materialised, users):  # noqa: F811
    admin = logged_in(users.organiser_admin)
    unit = materialised.org.unit_n1
    page = admin.get(reverse("unit", args=[unit.pk]), headers=GZIP)
    assert rendered(page, UNIT_BODY) and "<html" in unzipped(page)
    groups = reverse("unit_groups", args=[unit.pk])
    fragment = admin.get(groups, headers={**GZIP, "HX-Request": "true"})
    assert rendered(fragment, GROUPS_FRAGMENT)
    plain = admin.get(groups, headers={"HX-Request": "true"})
    assert not rendered(plain, GROUPS_FRAGMENT)  # one body, two encodings
    assert unzipped(fragment) == plain.content.decode() and "<html" not in unzipped(fragment)


def test_without_a_page_cache_nothing_is_compressed(materialised, users, settings):  # noqa: F811
    settings.CACHES = {
        **settings.CACHES,
        PAGE_CACHE: {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    assert isinstance(caches[PAGE_CACHE], DummyCache)
    response = logged_in(users.organiser_admin).get(reverse("overview"), headers=GZIP)
    assert response.status_code == 200 and "Content-Encoding" not in response
    assert "Norrskolan" in response.content.decode()


def test_a_page_with_the_body_twice_or_not_at_all_goes_out_uncompressed(users, settings):
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    (
                        "django.template.loaders.locmem.Loader",
                        {"twice.html": "<p>{{ body }}</p><p>{{ body }}</p>", "none.html": "-"},
                    )
                ]
            },
        }
    ]
    request = RequestFactory().get("/x/", headers=GZIP)
    request.user = users.organiser_admin
    scope = scope_for(users.organiser_admin)

    def answer(template: str):
        return page_response(
            request, template, {}, view="test", scope=scope, render_body=lambda: "Ängen"
        )

    rendered_templates: list[str] = []

    def count(sender, template, **kwargs):
        rendered_templates.append(template.name)

    template_rendered.connect(count)
    try:
        twice, none = answer("twice.html"), answer("none.html")
    finally:
        template_rendered.disconnect(count)
    # Each rendered once: a second rendering would find the user's messages consumed.
    assert rendered_templates == ["twice.html", "none.html"]
    assert "Content-Encoding" not in twice and "Content-Encoding" not in none
    assert twice.content.decode() == "<p>Ängen</p><p>Ängen</p>"
    assert none.content.decode() == "-"


def test_warming_compresses_a_body_that_a_plain_request_cached(materialised, users):  # noqa: F811
    logged_in(users.organiser_admin).get(reverse("overview"))  # no gzip: the body alone
    scope = scope_for(users.organiser_admin)
    path = reverse("overview")
    assert is_cached(view="overview", scope=scope, path=path)
    assert not is_cached(view="overview", scope=scope, path=path, compressed=True)
    pages_warm(seconds=60)
    assert is_cached(view="overview", scope=scope, path=path, compressed=True)
