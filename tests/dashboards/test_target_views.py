"""The targets page (/resultat/malvarden/) through the test client: who may open it and see
its link, the scope of the nodes offered and accepted, validation (nothing saved, the error on
its field), add → change → remove, and the overview showing the target. Texts are compared in
English."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from tests.indicators.test_materialise import facts, materialised  # noqa: F401

from skolkvalitet.dashboards.actions import target_set
from skolkvalitet.dashboards.models import Target
from skolkvalitet.organisation.actions import role_grant
from skolkvalitet.organisation.models import Role

pytestmark = pytest.mark.django_db

URL = "/resultat/malvarden/"
NOT_ALLOWED = ("analyst", "board", "unit_head", "teacher", "coach")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def area_admin(org, make_user):
    """An organiser admin granted on the area Norr only."""
    user = make_user("arvid")
    role_grant(user=user, node=org.area_north, role=Role.ORGANISER_ADMIN)
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, node, indicator="on_track_MA", value="85", year=""):
    data = {"node": node.pk if node else "", "indicator": indicator, "value": value}
    data["academic_year"] = year
    return client.post(URL, data)


def errors_of(response) -> dict[str, list[str]]:
    return {name: list(errs) for name, errs in response.context["form"].errors.items()}


def text_of(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def ma_cell(overview_page, unit):
    """The overview's on_track_MA cell of `unit`."""
    row = next(r for r in overview_page.context["data"].rows if r.node == unit)
    return next(c for c in row.cells if c.indicator.key == "on_track_MA")


def options_of(response, field: str) -> set[str]:
    html = response.content.decode()
    select = re.search(rf'<select name="{field}".*?</select>', html, flags=re.S).group(0)
    return set(re.findall(r'<option value="([^"]*)"', select)) - {""}


# -- who may -----------------------------------------------------------------------------------


def test_the_organiser_admin_opens_the_page_with_a_labelled_form(client_for):
    response = client_for("organiser_admin").get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("targets") == URL
    assert "csrfmiddlewaretoken" in html
    assert html.count("<fieldset>") == 2 and "<legend>" in html
    for name in ("node", "indicator", "academic_year", "value"):
        assert f'<label for="id_{name}">' in html
    assert 'aria-describedby="id_value-help"' in html
    assert "<optgroup" in html  # indicators and nodes grouped


@pytest.mark.parametrize("role", NOT_ALLOWED)
def test_other_roles_are_refused_the_page_and_removal(client_for, org, role):
    target = target_set(node=org.unit_n1, indicator="on_track_MA", value=80)
    client = client_for(role)
    assert client.get(URL).status_code == 403
    assert post(client, org.unit_n1, value="10").status_code == 403
    assert client.post(reverse("target_remove", args=[target.pk])).status_code == 403
    assert Target.objects.get().value == 80


def test_anonymous_users_are_sent_to_log_in(client, org):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_only_users_who_may_set_targets_see_the_link_on_the_overview(client_for):
    assert URL in client_for("organiser_admin").get(reverse("overview")).content.decode()
    for role in NOT_ALLOWED:
        page = client_for(role).get(reverse("overview"))
        assert page.status_code == 200 and URL not in page.content.decode(), role


def test_a_post_without_the_csrf_token_is_refused(users, org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users.organiser_admin)
    assert post(client, org.unit_n1).status_code == 403
    assert not Target.objects.exists()


# -- scope ---------------------------------------------------------------------------------------


def test_the_form_offers_the_managed_organiser_areas_and_units_only(client_for, area_admin, org):
    everything = options_of(client_for("organiser_admin").get(URL), "node")
    names = ("organiser", "area_north", "area_south", "unit_n1", "unit_n2", "unit_s1", "unit_s2")
    assert everything == {str(org.nodes[name].pk) for name in names}  # no groups
    north = options_of(area_admin.get(URL), "node")
    assert north == {str(org.area_north.pk), str(org.unit_n1.pk), str(org.unit_n2.pk)}


def test_a_node_outside_the_scope_is_refused_and_nothing_changes(area_admin, org):
    target_set(node=org.unit_s1, indicator="on_track_MA", value=70)
    for node in (org.unit_s1, org.organiser, org.area_south, org.group_n1a):
        response = post(area_admin, node, value="99")
        assert response.status_code == 400
        assert errors_of(response) == {"node": ["Choose a part of the organisation from the list."]}
    assert list(Target.objects.values_list("node", "value")) == [(org.unit_s1.pk, 70)]


def test_a_target_outside_the_scope_cannot_be_removed_or_changed(area_admin, org):
    south = target_set(node=org.unit_s1, indicator="on_track_MA", value=70)
    above = target_set(node=org.organiser, indicator="on_track_MA", value=60)
    for target in (south, above):
        assert area_admin.post(reverse("target_remove", args=[target.pk])).status_code == 404
        # the change link is ignored: the form starts empty
        response = area_admin.get(URL, {"andra": target.pk})
        assert response.context["changing"] is None
    assert Target.objects.count() == 2


def test_targets_in_force_include_those_set_above_read_only(area_admin, org):
    target_set(node=org.organiser, indicator="on_track_MA", value=60)
    target_set(node=org.unit_n1, indicator="on_track_MA", value=80)
    target_set(node=org.unit_s1, indicator="on_track_MA", value=70)  # not in the area's scope
    response = area_admin.get(URL)
    rows = response.context["rows"]
    assert [(r.target.node, r.target.value, r.editable) for r in rows] == [
        (org.organiser, 60, False),
        (org.unit_n1, 80, True),
    ]
    page = text_of(response)
    assert "Set above your part of the organisation" in page
    assert "Söderskolan" not in page
    html = response.content.decode()
    assert html.count('action="/resultat/malvarden/') == 2  # the form and one removal


# -- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("indicator", "value", "field", "message"),
    [
        ("on_track_MA", "100,1", "value", "A target in percent is between 0 and 100."),
        ("on_track_MA", "-5", "value", "A target in percent is between 0 and 100."),
        (
            "merit_value_17",
            "341",
            "value",
            "A target for Genomsnittligt meritvärde (17 ämnen) is between 0 and 340.",
        ),
        ("on_track_MA", "åttio", "value", "Write the target as a number, such as 82,5."),
        ("on_track_MA", "", "value", "This field is required."),
        ("nonsense", "50", "indicator", "Choose an indicator from the list."),
        ("grade_points_BI", "10", "indicator", "Choose an indicator from the list."),
    ],
)
def test_invalid_input_is_refused_with_a_message_on_its_field(
    client_for, org, indicator, value, field, message
):
    response = post(client_for("organiser_admin"), org.unit_n1, indicator=indicator, value=value)
    assert response.status_code == 400
    assert errors_of(response) == {field: [message]}
    html = response.content.decode()
    assert f'id="id_{field}-errors"' in html and 'aria-invalid="true"' in html
    help_id = f"id_{field}-help " if field == "value" else ""  # the indicator has no help
    described_by = f"{help_id}id_{field}-errors"
    assert f'aria-describedby="{described_by}"' in html
    assert "Nothing was saved." in text_of(response)
    assert not Target.objects.exists()


@pytest.mark.parametrize("bad_year", ["9999", "abc", "-1"])
def test_an_unknown_academic_year_is_refused(client_for, org, bad_year):
    response = post(client_for("organiser_admin"), org.unit_n1, year=bad_year)
    assert response.status_code == 400
    assert errors_of(response) == {"academic_year": ["Choose an academic year from the list."]}
    assert not Target.objects.exists()


def test_a_missing_node_is_refused(client_for, org):
    response = post(client_for("organiser_admin"), None)
    assert errors_of(response) == {"node": ["This field is required."]}
    assert not Target.objects.exists()


# -- round trips ---------------------------------------------------------------------------------


def test_add_change_and_remove_a_target(client_for, org, users):
    client = client_for("organiser_admin")

    response = post(client, org.unit_n1, value="82,5")  # a decimal comma, as Swedes write
    assert response.status_code == 302 and response["Location"] == URL
    target = Target.objects.get()
    assert (target.node, target.indicator, target.academic_year, target.value) == (
        org.unit_n1,
        "on_track_MA",
        None,
        82.5,
    )
    assert target.set_by == users.organiser_admin
    page = client.get(URL)
    text = text_of(page)
    indicator = "Bedöms uppfylla betygskriterierna, matematik"
    assert f"The target of {indicator} for Norrskolan (Norr), every year, is now 82.5." in text
    assert "Every year" in text and "agnes" in text

    # Change: the row's link fills in the form; saving the same place, indicator and year
    # changes the value.
    form = client.get(URL, {"andra": target.pk}).context["form"]
    assert form.initial == {
        "node": org.unit_n1.pk,
        "indicator": "on_track_MA",
        "academic_year": None,
        "value": 82.5,
    }
    assert post(client, org.unit_n1, value="90").status_code == 302
    assert Target.objects.get().value == 90

    # A target for one year stands beside the one for every year.
    assert post(client, org.unit_n1, value="95", year=str(org.year.pk)).status_code == 302
    assert sorted(Target.objects.values_list("academic_year", "value"), key=str) == sorted(
        [(None, 90.0), (org.year.pk, 95.0)], key=str
    )

    # Remove both.
    for t in list(Target.objects.all()):
        response = client.post(reverse("target_remove", args=[t.pk]))
        assert response.status_code == 302 and response["Location"] == URL
    assert not Target.objects.exists()
    assert "was removed" in text_of(client.get(URL))
    assert client.get(reverse("target_remove", args=[target.pk])).status_code == 405
    assert client.post(reverse("target_remove", args=[target.pk])).status_code == 404


def test_an_area_admin_sets_targets_in_the_area(area_admin, org):
    response = post(area_admin, org.area_north, indicator="merit_value_17", value="230")
    assert response.status_code == 302
    assert post(area_admin, org.unit_n2, value="70").status_code == 302
    assert sorted(Target.objects.values_list("node__name", "indicator", "value")) == [
        ("Björkskolan", "on_track_MA", 70),
        ("Norr", "merit_value_17", 230),
    ]


def test_the_overview_shows_a_target_set_on_the_page(materialised, users):  # noqa: F811
    org = materialised.org
    client = Client()
    client.force_login(users.organiser_admin)
    assert post(client, org.area_north, value="90").status_code == 302

    page = client.get(reverse("overview"))
    ma = ma_cell(page, org.unit_n1)
    assert ma.target == 90 and ma.meets_target is True  # 100 % on track at the latest point
    assert "(target 90,0)" in text_of(page)  # figures are Swedish in any language

    client.post(reverse("target_remove", args=[Target.objects.get().pk]))
    assert ma_cell(client.get(reverse("overview")), org.unit_n1).target is None
