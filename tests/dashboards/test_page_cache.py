"""The page cache (dashboards/page_cache.py, page_invalidation.py, page_warming.py and
organisation/page_versions.py): a result page's body is rendered once per data version and
class of user, every write that changes what it shows makes it old, users never see each
other's name, links or CSRF token, and the materialisation warms the pages.

On the hand-computed facts of tests/indicators/test_materialise.py (four units, Norrskolan
with three pupils assessed at the latest point, so that the board sees its figures hidden).
A request that rendered the body lists the body's template in `response.templates`; one
served from the cache does not.
"""

from __future__ import annotations

import datetime as dt
import re
import stat
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import translation
from tests.indicators.test_materialise import facts, materialised  # noqa: F401

from skolkvalitet.batches.models import ImportBatch
from skolkvalitet.dashboards.actions import target_remove, target_set
from skolkvalitet.dashboards.page_cache import cached_body, is_cached, page_key, scope_class
from skolkvalitet.dashboards.page_warming import pages_warm
from skolkvalitet.indicators.materialise import indicators_materialise
from skolkvalitet.indicators.models import ErasedYear
from skolkvalitet.ingest.writing.rollback import import_rollback
from skolkvalitet.organisation import actions
from skolkvalitet.organisation.models import NodeKind, Term
from skolkvalitet.organisation.models.roles import Role
from skolkvalitet.organisation.page_versions import PAGE_CACHE, pages_changed
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality.actions import follow_up_point_add

pytestmark = pytest.mark.django_db

OVERVIEW_BODY = "dashboards/_overview_body.html"
UNIT_BODY = "dashboards/_unit_body.html"
GROUPS_FRAGMENT = "dashboards/_unit_groups.html"


def rendered(response, template: str) -> bool:
    """Whether the request rendered `template` (a miss) rather than reading the cache."""
    assert response.status_code == 200
    return template in [t.name for t in response.templates]


def without_csrf(response) -> str:
    """The page without its CSRF token (masked anew in every response)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin(users):
    return logged_in(users.organiser_admin)


# -- hits and misses --------------------------------------------------------------------------


def test_the_second_request_of_a_page_is_served_from_the_cache(materialised, admin):  # noqa: F811
    first = admin.get(reverse("overview"))
    second = admin.get(reverse("overview"))
    assert rendered(first, OVERVIEW_BODY)
    assert not rendered(second, OVERVIEW_BODY)
    assert without_csrf(second) == without_csrf(first)
    # The page around the body is rendered each time.
    assert rendered(second, "web/base.html")


def test_the_unit_page_and_its_groups_fragment_are_cached_apart(materialised, admin):  # noqa: F811
    unit = materialised.org.unit_n1
    page = reverse("unit", args=[unit.pk])
    groups = reverse("unit_groups", args=[unit.pk])
    assert rendered(admin.get(page), UNIT_BODY)
    assert not rendered(admin.get(page), UNIT_BODY)
    fragment = admin.get(groups, headers={"HX-Request": "true"})
    assert rendered(fragment, GROUPS_FRAGMENT)
    assert "<html" not in fragment.content.decode()
    again = admin.get(groups, headers={"HX-Request": "true"})
    assert not rendered(again, GROUPS_FRAGMENT) and again.content == fragment.content
    # Without htmx the same URL is a whole page: a key of its own.
    whole = admin.get(groups)
    assert rendered(whole, "dashboards/_unit_groups_body.html")
    assert "<html" in whole.content.decode()


def test_every_query_parameter_is_part_of_the_key(materialised, admin):  # noqa: F811
    org = materialised.org
    assert rendered(admin.get(reverse("overview")), OVERVIEW_BODY)
    by_area = admin.get(reverse("overview"), {"omrade": org.area_north.pk})
    assert rendered(by_area, OVERVIEW_BODY)
    assert "Söderskolan" not in by_area.content.decode()
    earlier = admin.get(reverse("overview"), {"punkt": materialised.p1.pk})
    assert rendered(earlier, OVERVIEW_BODY)
    assert "Uppföljning 1 HT2024" in earlier.content.decode()
    assert not rendered(
        admin.get(reverse("overview"), {"punkt": materialised.p1.pk}), OVERVIEW_BODY
    )


def test_downloads_are_never_cached(materialised, admin):  # noqa: F811
    for _ in range(2):
        answer = admin.get(reverse("overview"), {"format": "csv"})
        assert answer.status_code == 200
        assert answer["Content-Type"].startswith("text/csv")


# -- what the key holds of the user -----------------------------------------------------------


def test_users_with_the_same_grants_share_a_page_and_others_do_not(
    materialised,  # noqa: F811
    users,
    make_user,
):
    org = materialised.org
    second_admin = make_user("greta", first_name="Greta", last_name="Andersson")
    actions.role_grant(user=second_admin, node=org.organiser, role=Role.ORGANISER_ADMIN)
    assert rendered(logged_in(users.organiser_admin).get(reverse("overview")), OVERVIEW_BODY)
    assert not rendered(logged_in(second_admin).get(reverse("overview")), OVERVIEW_BODY)
    # The analyst sees the same figures but may not set targets; the board sees them hidden.
    assert rendered(logged_in(users.analyst).get(reverse("overview")), OVERVIEW_BODY)
    assert rendered(logged_in(users.board).get(reverse("overview")), OVERVIEW_BODY)
    classes = {scope_class(scope_for(u)) for u in (users.organiser_admin, second_admin)}
    assert len(classes) == 1
    assert scope_class(scope_for(users.board)) not in classes


def test_suppressed_figures_never_come_from_a_page_cached_with_real_ones(materialised, users):  # noqa: F811
    unit = materialised.org.unit_n1
    page = reverse("unit", args=[unit.pk])
    real = logged_in(users.organiser_admin).get(page)
    hidden = logged_in(users.board).get(page)
    assert rendered(real, UNIT_BODY) and rendered(hidden, UNIT_BODY)
    assert real.context["data"].pupil_access is True
    assert hidden.context["data"].pupil_access is False
    assert without_csrf(hidden) != without_csrf(real)
    # Read again, each from the cache, each its own.
    assert without_csrf(logged_in(users.board).get(page)) == without_csrf(hidden)
    assert without_csrf(logged_in(users.organiser_admin).get(page)) == without_csrf(real)


def test_a_cached_page_shows_each_user_their_own_name_links_and_csrf_token(
    materialised,  # noqa: F811
    users,
    make_user,
):
    org = materialised.org
    other = make_user("greta", first_name="Greta", last_name="Andersson")
    actions.role_grant(user=other, node=org.organiser, role=Role.ORGANISER_ADMIN)
    users.organiser_admin.first_name = "Agnes"
    users.organiser_admin.last_name = "Berg"
    users.organiser_admin.save()
    first_client, second_client = logged_in(users.organiser_admin), logged_in(other)
    first = first_client.get(reverse("overview")).content.decode()
    second_response = second_client.get(reverse("overview"))
    assert not rendered(second_response, OVERVIEW_BODY)
    second = second_response.content.decode()
    assert "Agnes Berg" in first and "Agnes Berg" not in second
    assert "Greta Andersson" in second and "Greta Andersson" not in first
    tokens = [
        re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html) for html in (first, second)
    ]
    assert tokens[0] and tokens[1] and set(tokens[0]).isdisjoint(tokens[1])


def test_the_cached_body_holds_nothing_of_the_user(materialised, users):  # noqa: F811
    admin = logged_in(users.organiser_admin)
    admin.get(reverse("overview"))
    scope = scope_for(users.organiser_admin)
    key = page_key(view="overview", scope=scope, path=reverse("overview"), query="", partial=False)
    body = caches[PAGE_CACHE].get(key)
    assert body and "Norrskolan" in body
    assert "csrfmiddlewaretoken" not in body
    assert users.organiser_admin.get_username() not in body
    assert reverse("logout") not in body
    # The targets link belongs to the class (may set targets), not to the user.
    assert reverse("targets") in body


def test_a_narrower_grant_is_its_own_page(materialised, users):  # noqa: F811
    head = logged_in(users.unit_head)
    page = head.get(reverse("overview"))
    assert rendered(page, OVERVIEW_BODY)
    assert "Björkskolan" not in page.content.decode()  # another unit of the area
    assert rendered(logged_in(users.organiser_admin).get(reverse("overview")), OVERVIEW_BODY)


def test_the_language_is_part_of_the_key(materialised, users):  # noqa: F811
    scope = scope_for(users.organiser_admin)

    def body(language: str) -> str:
        with translation.override(language):
            return cached_body(
                view="test",
                scope=scope,
                path="/x/",
                query="",
                partial=False,
                render=lambda: f"rendered in {translation.get_language()}",
            )

    assert body("sv") == "rendered in sv"
    assert body("en") == "rendered in en"
    assert body("sv") == "rendered in sv"


# -- invalidation: every kind of write ---------------------------------------------------------


def cached_overview(client) -> None:
    assert rendered(client.get(reverse("overview")), OVERVIEW_BODY)
    assert not rendered(client.get(reverse("overview")), OVERVIEW_BODY)


def write_target(ns, users):
    target_set(node=ns.org.unit_n1, indicator="on_track_MA", value=90.0)


def remove_target(ns, users):
    target = target_set(node=ns.org.unit_n1, indicator="on_track_MA", value=90.0)
    cached_overview(logged_in(users.organiser_admin))
    target_remove(target=target)


def add_follow_up_point(ns, users):
    follow_up_point_add(
        term=ns.vt,
        name="Uppföljning 2 VT2025",
        assessed_on=dt.date(2025, 5, 15),
        deadline=dt.date(2025, 5, 30),
    )


def change_term(ns, users):
    term = Term.objects.get(pk=ns.vt.pk)
    term.end_date = dt.date(2025, 6, 12)
    term.save()


def create_node(ns, users):
    actions.node_create(kind=NodeKind.AREA, name="Väster", parent=ns.org.organiser)


def rename_unit(ns, users):
    unit = ns.org.unit_n1
    unit.name = "Norrskolan F-9"
    unit.save(update_fields=["name"])


def import_batch(ns, users):
    ImportBatch.objects.create(kind="grades", source_name="ny.csv", organiser=ns.org.organiser)


def roll_back_import(ns, users):
    import_rollback(ns.latest_batch)


def materialise(ns, users):
    indicators_materialise(years=[ns.year.pk])


def erase_year(ns, users):
    ErasedYear.objects.create(organiser=ns.org.organiser, academic_year=ns.year)


WRITES = [
    write_target,
    remove_target,
    add_follow_up_point,
    change_term,
    create_node,
    rename_unit,
    import_batch,
    roll_back_import,
    materialise,
    erase_year,
]


@pytest.mark.parametrize("write", WRITES, ids=[w.__name__ for w in WRITES])
def test_a_write_that_changes_what_pages_show_makes_the_cached_page_old(
    write,
    materialised,  # noqa: F811
    users,
):
    admin = logged_in(users.organiser_admin)
    cached_overview(admin)
    write(materialised, users)
    assert rendered(admin.get(reverse("overview")), OVERVIEW_BODY)


def test_a_new_target_is_on_the_page_at_once(materialised, admin):  # noqa: F811
    cached_overview(admin)
    assert "målvärde 90" not in admin.get(reverse("overview")).content.decode().lower()
    target_set(node=materialised.org.unit_n1, indicator="on_track_MA", value=90.0)
    page = admin.get(reverse("overview"))
    assert rendered(page, OVERVIEW_BODY)
    row = next(r for r in page.context["data"].rows if r.node == materialised.org.unit_n1)
    cell = next(c for c in row.cells if c.indicator.key == "on_track_MA")
    assert cell.target == 90.0


def test_the_version_is_replaced_again_when_the_write_commits(
    materialised,  # noqa: F811
    users,
    django_capture_on_commit_callbacks,
):
    """Between a write and its commit another process may still read the old figures and
    cache them under the version replaced at once: the commit replaces it again."""
    admin = logged_in(users.organiser_admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pages_changed()
        cached_overview(admin)  # rendered after the write, before its commit
    for callback in callbacks:
        callback()
    assert rendered(admin.get(reverse("overview")), OVERVIEW_BODY)


def test_a_role_granted_needs_no_new_version_the_key_follows_the_grants(
    materialised,  # noqa: F811
    users,
):
    org = materialised.org
    board = logged_in(users.board)
    cached_overview(board)
    actions.role_grant(user=users.board, node=org.unit_n1, role=Role.UNIT_HEAD)
    page = board.get(reverse("overview"))
    assert rendered(page, OVERVIEW_BODY)  # pupil access at Norrskolan now: another class


# -- warming ----------------------------------------------------------------------------------


def test_warming_renders_the_pages_the_organisers_users_open_first(materialised, users):  # noqa: F811
    org = materialised.org
    result = pages_warm(seconds=60)
    units = org.organiser.__class__.objects.filter(
        kind=NodeKind.UNIT, path__startswith=org.organiser.path
    ).count()
    # Three classes: the overview, and each unit's page and groups fragment.
    assert result.rendered == 3 * (1 + 2 * units) and result.left == 0
    for user in (users.organiser_admin, users.analyst, users.board):
        client = logged_in(user)
        assert not rendered(client.get(reverse("overview")), OVERVIEW_BODY)
        assert not rendered(client.get(reverse("unit", args=[org.unit_n1.pk])), UNIT_BODY)
        fragment = client.get(
            reverse("unit_groups", args=[org.unit_n1.pk]), headers={"HX-Request": "true"}
        )
        assert not rendered(fragment, GROUPS_FRAGMENT)
    # A second warming finds everything in place.
    assert pages_warm(seconds=60).already == result.rendered


def test_warming_stops_at_its_budget(materialised):  # noqa: F811
    assert pages_warm(seconds=0).rendered == 0
    result = pages_warm(seconds=1e-9)
    assert result.rendered <= 1 and result.left > 0


def test_the_materialisation_warms_the_pages_after_its_commit(
    facts,  # noqa: F811
    users,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.SKOLKVALITET_PAGE_CACHE_WARM_SECONDS = 60
    with django_capture_on_commit_callbacks(execute=True):
        indicators_materialise()
    scope = scope_for(users.board)
    assert is_cached(view="overview", scope=scope, path=reverse("overview"))
    assert not rendered(logged_in(users.board).get(reverse("overview")), OVERVIEW_BODY)


# -- where pages are kept --------------------------------------------------------------------


def test_the_file_cache_keeps_pages_readable_by_the_service_alone(materialised, admin):  # noqa: F811
    if settings.CACHES[PAGE_CACHE]["BACKEND"].rsplit(".", 1)[-1] != "FileBasedCache":
        pytest.skip("the page cache is not the file cache here")
    admin.get(reverse("overview"))
    location = Path(settings.CACHES[PAGE_CACHE]["LOCATION"])
    assert stat.S_IMODE(location.stat().st_mode) == 0o700
    files = list(location.glob("*.djcache"))
    assert files
    assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}


@pytest.mark.django_db(transaction=True)
def test_a_restore_makes_every_cached_page_old(materialised, users, tmp_path):  # noqa: F811
    """`skolkvalitet restore` replaces the database under the cache: the pages cached before
    it are never read after it."""
    from django.core.management import call_command

    from skolkvalitet.operations.backup import database_backup

    admin = logged_in(users.organiser_admin)
    backup = tmp_path / "backup"
    database_backup(out=backup)
    cached_overview(admin)
    call_command("restore", str(backup), "--force")
    assert rendered(admin.get(reverse("overview")), OVERVIEW_BODY)
