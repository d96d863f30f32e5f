"""The result follow-up pages (dashboards/views.py): the overview, the unit page with its
tables, downloads and groups fragment, the group page (the drill-down to one class, and a
teacher's way into the results) and the lists of pupils who need support, on the
hand-computed facts of tests/indicators/test_materialise.py:

unit_n1 (Norrskolan), on track in MA:  point 1 HT2024 Alva A, Bella F, Cesar E → 2 of 3
                                       point 1 VT2025 Alva B, Bella B        → 2 of 2

Final grades at unit_n1 (Norrskolan), year 9, VT2025:
    SV: Alva A, Bella C, Cesar E, David F, Elsa B  → A, B, C, E, F 20 % each
    MA: Alva C, Bella E, Cesar F, David F, Elsa B  → B 20 %, C 20 %, E 20 %, F 40 %
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from tests.indicators.test_materialise import facts, materialised  # noqa: F401

from skolkvalitet.dashboards.breakdowns import breakdown_label
from skolkvalitet.dashboards.selectors.group import group_page
from skolkvalitet.organisation.models import AuditEvent
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.results.models import Assessment
from skolkvalitet.results.selectors import pupils_at_risk

pytestmark = pytest.mark.django_db


def test_the_overview_page_makes_the_same_queries_for_any_number_of_units(
    materialised,  # noqa: F811
    users,
    client,
    django_assert_max_num_queries,
):
    client.force_login(users.organiser_admin)
    with django_assert_max_num_queries(16):
        page = client.get(reverse("overview"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Norrskolan" in text and "Uppföljning 1 VT2025" in text
    assert "Ekskolan" not in text  # no assessments there at the latest point


def test_the_unit_page_shows_the_unit_and_refuses_others(materialised, users, client):  # noqa: F811
    org = materialised.org
    client.force_login(users.unit_head)
    page = client.get(reverse("unit", args=[org.unit_n1.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Norrskolan" in text
    assert 'id="chart-points"' in text  # the trend of the two follow-up points, as a chart
    assert client.get(reverse("unit", args=[org.unit_s1.pk])).status_code == 404


def test_pupils_at_risk_are_listed_for_pupil_access_and_audited(materialised, users, client):  # noqa: F811
    org = materialised.org
    Assessment.objects.filter(pupil=org.pupils["Bella"], follow_up_point=materialised.p2).update(
        value="F"
    )
    at_risk = pupils_at_risk(scope_for(users.unit_head), org.unit_n1, materialised.p2)
    assert [(p.name, p.subjects) for p in at_risk] == [("Bella", ["MA"])]

    client.force_login(users.unit_head)
    page = client.get(reverse("pupils_at_risk", args=[org.unit_n1.pk]))
    assert page.status_code == 200 and "Bella" in page.content.decode()
    event = AuditEvent.objects.get(action="view_pupils_at_risk")
    assert event.user == users.unit_head and event.pupil_ids == [org.pupils["Bella"].pk]

    for user in (users.board, users.teacher, users.coach):
        client.force_login(user)
        assert client.get(reverse("pupils_at_risk", args=[org.unit_n1.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="view_pupils_at_risk").count() == 1


def test_the_year_overview_page_names_the_compared_schools_and_offers_the_others(
    materialised,  # noqa: F811
    users,
    client,
):
    materialised.org.organiser.organiser_type = "municipal"
    materialised.org.organiser.save()
    client.force_login(users.organiser_admin)
    page = client.get(reverse("overview"), {"lasar": materialised.org.year.pk})
    html = page.content.decode()
    assert 'name="jamfor"' in html
    assert '<option value="kommunal" selected>' in html
    assert 'class="reference-row"' not in html  # nothing imported: no reference row ...
    assert "Rikets publicerade värde för detta år och dessa skolor finns inte" in html  # ... said
    assert "kommunala skolor" in html
    page = client.get(
        reverse("overview"), {"lasar": materialised.org.year.pk, "jamfor": "samtliga"}
    )
    assert '<option value="samtliga" selected>' in page.content.decode()


def test_the_overview_downloads_as_csv_and_xlsx_as_the_user_sees_it(materialised, users, client):  # noqa: F811
    import io

    from openpyxl import load_workbook

    client.force_login(users.board)
    csv = client.get(reverse("overview"), {"format": "csv"})
    lines = csv.content.decode("utf-8-sig").splitlines()
    # Every row says which period and which pupils it is about.
    assert lines[0].startswith("Period;Elever som jämförs;Skolenhet;Område;")
    assert csv["Content-Disposition"].endswith("resultatuppfoljning-Uppf%C3%B6ljning-1-VT2025.csv")
    norrskolan = next(line for line in lines if ";Norrskolan;" in line)
    assert ";..;" in norrskolan  # the board's suppressed figure stays a marker, never 0
    xlsx = client.get(reverse("overview"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert any(cell.value == "Norrskolan" for row in sheet.iter_rows() for cell in row)
    assert client.get(reverse("overview"), {"format": "pdf"}).status_code == 404


def csv_lines(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return response.content.decode("utf-8-sig").splitlines()


def test_the_unit_page_shows_the_distribution_and_every_table_downloads(
    materialised,  # noqa: F811
    users,
    client,
):
    org = materialised.org
    client.force_login(users.unit_head)
    url = reverse("unit", args=[org.unit_n1.pk])
    page = client.get(url)
    text = page.content.decode()
    assert 'id="chart-distribution"' in text
    for key in ("points", "terms", "years", "subjects", "distribution"):  # groups: own fragment
        assert f"tabell={key}&amp;format=csv" in text, key
        assert f"tabell={key}&amp;format=xlsx" in text, key

    lines = csv_lines(client.get(url, {"tabell": "distribution", "format": "csv"}))
    assert lines[0].startswith("Ämne;Elever med betyg;A;B;C;D;E;F;Underlag saknas (-);A–E")
    svenska = next(line for line in lines if line.startswith("Svenska;"))
    assert svenska.startswith("Svenska;5;20,0;20,0;20,0;0,0;20,0;20,0;0,0;80,0")

    xlsx = client.get(url, {"tabell": "years", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert "Genomsnittligt meritvärde (17 ämnen)" in cells

    assert client.get(url, {"tabell": "nothing", "format": "csv"}).status_code == 404


def test_the_boards_downloads_keep_the_markers(materialised, users, client):  # noqa: F811
    org = materialised.org
    client.force_login(users.board)
    url = reverse("unit", args=[org.unit_n1.pk])
    lines = csv_lines(client.get(url, {"tabell": "distribution", "format": "csv"}))
    svenska = next(line for line in lines if line.startswith("Svenska;"))
    assert svenska == "Svenska;;..;..;..;..;..;..;..;.."  # nor its n, beside hidden shares
    points = csv_lines(client.get(url, {"tabell": "points", "format": "csv"}))
    assert all("66,7" not in line for line in points)  # 2 of 3 on track: hidden from the board


def test_the_unit_page_breaks_down_by_year_group(materialised, users, client):  # noqa: F811
    org = materialised.org
    client.force_login(users.organiser_admin)
    page = client.get(reverse("unit", args=[org.unit_n1.pk]), {"grupp": "year_group"})
    assert "Årskurs 7" in page.content.decode()  # the term grades of year 7
    assert breakdown_label("gender=F") == "Flickor"
    assert breakdown_label("parents_education=unknown") == "Uppgift saknas"


def test_the_unit_page_reads_its_figures_in_a_fixed_number_of_queries(
    materialised,  # noqa: F811
    users,
    client,
    django_assert_max_num_queries,
):
    client.force_login(users.organiser_admin)
    # 18: the grade distribution asks once whether a leaving certificate holds an ended
    # subject or both SV and SVA (then it counts them as the indicators do); one query asks
    # which years have survey or staff figures (none here: no more queries for them).
    with django_assert_max_num_queries(18):
        page = client.get(reverse("unit", args=[materialised.org.unit_n1.pk]))
    assert page.status_code == 200
    # The groups come as their own fragment, loaded with htmx (a link without JavaScript).
    assert reverse("unit_groups", args=[materialised.org.unit_n1.pk]) in page.content.decode()


def test_the_units_groups_fragment_lists_them_with_links_and_downloads(
    materialised,  # noqa: F811
    users,
    client,
    django_assert_max_num_queries,
):
    org = materialised.org
    client.force_login(users.unit_head)
    url = reverse("unit_groups", args=[org.unit_n1.pk])
    with django_assert_max_num_queries(8):
        fragment = client.get(url, headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert html.lstrip().startswith('<section id="unit-groups"') and "<html" not in html
    assert f'href="{reverse("group", args=[org.group_n1a.pk])}"' in html
    assert "tabell=groups&amp;format=csv" in html
    page = client.get(url)  # without JavaScript: a page of its own
    assert "<html" in page.content.decode()
    lines = csv_lines(client.get(url, {"tabell": "groups", "format": "csv"}))
    [seven_a] = [line for line in lines if line.startswith(org.group_n1a.name)]
    assert seven_a == f"{org.group_n1a.name};100,0;2;100,0;2"  # Alva B, Bella B at point 2
    client.force_login(users.teacher)
    assert client.get(url).status_code == 404


def test_a_teacher_reaches_the_own_group_and_no_other(materialised, users, client):  # noqa: F811
    org = materialised.org
    client.force_login(users.teacher)
    overview = client.get(reverse("overview")).content.decode()
    assert reverse("group", args=[org.group_n1a.pk]) in overview  # the way in: own groups
    assert client.get(reverse("group", args=[org.group_n1a.pk])).status_code == 200
    assert client.get(reverse("group", args=[org.group_n1b.pk])).status_code == 404
    assert client.get(reverse("unit", args=[org.unit_n1.pk])).status_code == 404


def test_the_board_sees_a_groups_figures_suppressed(materialised, users, client):  # noqa: F811
    org = materialised.org
    data = group_page(scope_for(users.board), org.group_n1a)
    [points] = [s for s in data.sections if s.key == "points"]
    assert {v for row in points.rows for v, _n in row.values} == {".."}
    client.force_login(users.board)
    assert client.get(reverse("group", args=[org.group_n1a.pk])).status_code == 200
    url = reverse("group_pupils_at_risk", args=[org.group_n1a.pk])
    assert client.get(url).status_code == 404


def test_a_groups_pupils_at_risk_are_listed_for_its_teacher_and_audited(
    materialised,  # noqa: F811
    users,
    client,
):
    org = materialised.org
    Assessment.objects.filter(pupil=org.pupils["Bella"], follow_up_point=materialised.p2).update(
        value="F"
    )
    client.force_login(users.teacher)
    page = client.get(reverse("group_pupils_at_risk", args=[org.group_n1a.pk]))
    assert page.status_code == 200 and "Bella" in page.content.decode()
    event = AuditEvent.objects.get(action="view_pupils_at_risk")
    assert event.node == org.group_n1a and event.pupil_ids == [org.pupils["Bella"].pk]
    assert client.get(reverse("group_pupils_at_risk", args=[org.group_n1b.pk])).status_code == 404


def test_the_board_sees_the_groups_hidden_without_their_n(materialised, users, client):  # noqa: F811
    org = materialised.org
    client.force_login(users.board)
    url = reverse("unit_groups", args=[org.unit_n1.pk])
    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert org.group_n1a.name in html and '<abbr class="marker"' in html
    assert "n=" not in html  # 7A's two pupils: neither the share nor how many
