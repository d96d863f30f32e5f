"""The overview's selectors (dashboards/selectors/overview.py), on the hand-computed facts of
tests/indicators/test_materialise.py:

unit_n1 (Norrskolan), on track in MA:  point 1 HT2024 Alva A, Bella F, Cesar E → 2 of 3
                                       point 1 VT2025 Alva B, Bella B        → 2 of 2
"""

from __future__ import annotations

import pytest
from tests.indicators.test_materialise import facts, materialised  # noqa: F401

from skolkvalitet.dashboards.models import Target
from skolkvalitet.dashboards.selectors.overview import overview_at_point
from skolkvalitet.organisation.scopes import scope_for

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
    assert data.organiser.node == materialised.org.organiser


def test_a_target_set_on_the_organiser_reaches_its_units(materialised, users):  # noqa: F811
    org = materialised.org
    Target.objects.create(node=org.organiser, indicator="on_track_MA", value=80.0)
    Target.objects.create(node=org.unit_n1, indicator="on_track_MA", value=100.5)
    data = overview_at_point(scope_for(users.organiser_admin), materialised.p1)
    assert cell(data, org.unit_n1, "on_track_MA").meets_target is False  # its own target
    assert cell(data, org.unit_s1, "on_track_MA").target == 80.0  # the organiser's


def test_the_like_for_like_switch_compares_girls_with_girls(materialised, users):  # noqa: F811
    data = overview_at_point(
        scope_for(users.organiser_admin), materialised.p1, breakdown="gender=F"
    )
    ma = cell(data, materialised.org.unit_n1, "on_track_MA")
    assert (ma.shown, ma.n) == (50.0, 2)  # Alva A on track, Bella F not


def test_the_year_overview_sets_published_figures_beside_the_units(materialised, users):  # noqa: F811
    """A municipal organiser's units stand beside the nation's municipal schools (like for
    like); the independent schools' higher figure, stored first and sorting first, is never
    taken for it; all schools are one choice away, and each row says whose schools it is."""
    from skolkvalitet.batches.models import ImportBatch
    from skolkvalitet.dashboards.selectors.overview import overview_for_year
    from skolkvalitet.reference.actions import reference_values_store
    from skolkvalitet.reference.comparison import Basis
    from skolkvalitet.reference.records import AreaKind, ReferenceRecord, Source

    org = materialised.org
    org.organiser.municipality_code = "0999"
    org.organiser.save()

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
    data = overview_for_year(scope_for(users.organiser_admin), org.year)
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

    everyone = overview_for_year(scope_for(users.organiser_admin), org.year, basis=Basis.ALL)
    assert cell(everyone, org.unit_n1, "passed_all_subjects").reference == 75.6
    independent = overview_for_year(
        scope_for(users.organiser_admin), org.year, basis=Basis.INDEPENDENT
    )
    assert cell(independent, org.unit_n1, "passed_all_subjects").reference == 84.6


def test_an_independent_organiser_is_compared_with_independent_schools(materialised, users):  # noqa: F811
    from skolkvalitet.batches.models import ImportBatch
    from skolkvalitet.dashboards.selectors.overview import overview_for_year
    from skolkvalitet.reference.actions import reference_values_store
    from skolkvalitet.reference.comparison import Basis
    from skolkvalitet.reference.records import AreaKind, ReferenceRecord, Source

    org = materialised.org
    org.organiser.organiser_type = "independent"
    org.organiser.save()
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
    data = overview_for_year(scope_for(users.organiser_admin), org.year)
    assert data.reference_basis == Basis.INDEPENDENT
    assert cell(data, org.unit_n1, "passed_all_subjects").reference == 84.6
