"""The result follow-up pages, on the hand-computed facts of tests/indicators/test_materialise.py:

unit_n1 (Norrskolan), on track in MA:  point 1 HT2024 Alva A, Bella F, Cesar E → 2 of 3
                                       point 1 VT2025 Alva B, Bella B        → 2 of 2
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.indicators.test_materialise import facts, materialised  # noqa: F401

from skolkvalitet.dashboards.models import Target
from skolkvalitet.dashboards.selectors import overview_at_point, pupils_at_risk
from skolkvalitet.organisation.models import AuditEvent
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.results.models import Assessment

pytestmark = pytest.mark.django_db


def cell(overview, unit, key):
    row = next(r for r in overview.rows if r.node == unit)
    return next(c for c in row.cells if c.indicator.key == key)


def test_a_unit_head_sees_the_value_its_change_and_its_trend(materialised, users):  # noqa: F811
    org = materialised.org
    data = overview_at_point(scope_for(users.unit_head), materialised.p2)
    ma = cell(data, org.unit_n1, "on_track_MA")
    assert (ma.shown, ma.n) == (100.0, 2)
    assert ma.change_previous == pytest.approx(100 - 200 / 3)
    assert ma.trend == [pytest.approx(200 / 3), 100.0]
    assert [r.node for r in data.rows] == [org.unit_n1]  # only the unit head's own unit


def test_the_board_sees_small_groups_suppressed(materialised, users):  # noqa: F811
    data = overview_at_point(scope_for(users.board), materialised.p2)
    ma = cell(data, materialised.org.unit_n1, "on_track_MA")
    assert ma.shown == ".." and ma.change_previous is None
    assert ma.trend == ["..", ".."]
    assert [r.node for r in data.rows] == [materialised.org.unit_n1]
    assert data.without_figures == 3  # units with no assessment at the point are left out
    assert data.organiser.node == materialised.org.organizer


def test_a_target_set_on_the_organiser_reaches_its_units(materialised, users):  # noqa: F811
    org = materialised.org
    Target.objects.create(node=org.organizer, indicator="on_track_MA", value=80.0)
    Target.objects.create(node=org.unit_n1, indicator="on_track_MA", value=100.5)
    data = overview_at_point(scope_for(users.organizer_admin), materialised.p1)
    assert cell(data, org.unit_n1, "on_track_MA").meets_target is False  # its own target
    assert cell(data, org.unit_s1, "on_track_MA").target == 80.0  # the organiser's


def test_the_like_for_like_switch_compares_girls_with_girls(materialised, users):  # noqa: F811
    data = overview_at_point(
        scope_for(users.organizer_admin), materialised.p1, breakdown="gender=F"
    )
    ma = cell(data, materialised.org.unit_n1, "on_track_MA")
    assert (ma.shown, ma.n) == (50.0, 2)  # Alva A on track, Bella F not


def test_the_overview_page_makes_the_same_queries_for_any_number_of_units(
    materialised,  # noqa: F811
    users,
    client,
    django_assert_max_num_queries,
):
    client.force_login(users.organizer_admin)
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


def test_figures_are_rounded_to_one_decimal_with_a_decimal_comma():
    from django.utils import translation

    from skolkvalitet.dashboards.templatetags.figures import change, figure

    with translation.override("sv"):
        assert figure(200 / 3) == "66,7"
        assert figure("..").startswith('<abbr class="marker"')
        assert "+33,3" in change(100 - 200 / 3) and "−0,2" in change(-0.16)


def test_the_year_overview_sets_published_figures_beside_the_units(materialised, users):  # noqa: F811
    """A municipal organiser's units stand beside the nation's municipal schools (like for
    like); the independent schools' higher figure, stored first and sorting first, is never
    taken for it; all schools are one choice away, and each row says whose schools it is."""
    from skolkvalitet.batches.models import ImportBatch
    from skolkvalitet.dashboards.selectors import overview_for_year
    from skolkvalitet.reference.actions import reference_values_store
    from skolkvalitet.reference.comparison import Basis
    from skolkvalitet.reference.records import AreaKind, ReferenceRecord, Source

    org = materialised.org
    org.organizer.municipality_code = "0999"
    org.organizer.save()

    def nation(organiser_type: str, value: float) -> ReferenceRecord:
        return ReferenceRecord(
            source=Source.SKOLVERKET,
            dataset="Grundskola - Slutbetyg årskurs 9, samtliga elever",
            measure="Andel (%) elever som uppnått kunskapskraven i alla ämnen",
            area_kind=AreaKind.NATION,
            area_code="0000",
            area_name="Riket",
            period="2024/25",
            value=value,
            organiser_type=organiser_type,
            indicator_key="passed_all_subjects",
        )

    reference_values_store(
        [nation("Enskild", 84.6), nation("Kommunal", 70.0), nation("Samtliga", 75.6)],
        ImportBatch.objects.create(kind="skolverket", source_name="slutbetyg.csv"),
    )
    data = overview_for_year(scope_for(users.organizer_admin), org.year)
    passed = cell(data, org.unit_n1, "passed_all_subjects")
    assert (passed.shown, passed.reference) == (60.0, 70.0)  # Alva, Bella, Elsa of five
    assert passed.above_reference is False
    assert data.reference_basis == Basis.MUNICIPAL
    [row] = data.references
    assert (row.area, row.label, row.basis, row.period, row.sources) == (
        "nation",
        "Riket",
        Basis.MUNICIPAL,
        "2024/25",
        ["Skolverket"],
    )
    assert data.reference_missing == ["municipality", "similar"]

    # A unit head, who does not see the organiser's row, is compared with the same figures.
    head = overview_for_year(scope_for(users.unit_head), org.year)
    assert head.reference_basis == Basis.MUNICIPAL
    assert cell(head, org.unit_n1, "passed_all_subjects").reference == 70.0

    everyone = overview_for_year(scope_for(users.organizer_admin), org.year, basis=Basis.ALL)
    assert cell(everyone, org.unit_n1, "passed_all_subjects").reference == 75.6
    independent = overview_for_year(
        scope_for(users.organizer_admin), org.year, basis=Basis.INDEPENDENT
    )
    assert cell(independent, org.unit_n1, "passed_all_subjects").reference == 84.6


def test_an_independent_organiser_is_compared_with_independent_schools(materialised, users):  # noqa: F811
    from skolkvalitet.batches.models import ImportBatch
    from skolkvalitet.dashboards.selectors import overview_for_year
    from skolkvalitet.reference.actions import reference_values_store
    from skolkvalitet.reference.comparison import Basis
    from skolkvalitet.reference.records import AreaKind, ReferenceRecord, Source

    org = materialised.org
    org.organizer.organiser_type = "independent"
    org.organizer.save()
    reference_values_store(
        [
            ReferenceRecord(
                source=Source.SKOLVERKET,
                dataset="Grundskola - Slutbetyg årskurs 9, samtliga elever",
                measure="Andel (%) elever som uppnått kunskapskraven i alla ämnen",
                area_kind=AreaKind.NATION,
                area_code="0000",
                area_name="Riket",
                period="2024/25",
                value=value,
                organiser_type=organiser_type,
                indicator_key="passed_all_subjects",
            )
            for organiser_type, value in (("Kommunal", 70.0), ("Enskild", 84.6))
        ],
        ImportBatch.objects.create(kind="skolverket", source_name="slutbetyg.csv"),
    )
    data = overview_for_year(scope_for(users.organizer_admin), org.year)
    assert data.reference_basis == Basis.INDEPENDENT
    assert cell(data, org.unit_n1, "passed_all_subjects").reference == 84.6


def test_the_year_overview_page_names_the_compared_schools_and_offers_the_others(
    materialised,  # noqa: F811
    users,
    client,
):
    materialised.org.organizer.organiser_type = "municipal"
    materialised.org.organizer.save()
    client.force_login(users.organizer_admin)
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
