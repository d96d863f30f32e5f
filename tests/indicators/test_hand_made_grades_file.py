"""A hand-made grades file with the edge cases of issue 10, imported as a school would, and
its figures checked against values computed by hand, at unit and organiser level, and as the
board sees them (suppressed as Skolverket publishes).

The file, tests/indicators/data/hand_made_grades_2024-25.csv (final grades, VT 2024/25, year
9; personnummer made with organisation.identity.make_personal_number):

Ekskolan (20000002, area Söder), 12 pupils, 8 subjects (SV EN MA BI FY KE GE HI) each:
  P1  SV A and SVA C (both Swedish subjects), the 7 others E: SVA counts (skolförordningen
      5 kap. 15 §): 15 + 70 = 85 points (not 20 + 15 + 70 = 105)
  P2  8 x E, and hem- och konsumentkunskap A ended in year 8 (2023/24): 80 + 20 = 100
  P3  MA F, 7 x E: 70; not eligible (MA), not all subjects
  P4  BI F, 7 x E and SL E (9 subjects): 80; eligible (SV EN MA + FY KE GE HI SL), not all
  P5-P12  8 x E: 80 each
Söderskolan (20000001, area Söder), 6 pupils (a unit of 5-9):
  P13 EN F, 7 x E: 70; not eligible, not all subjects.  P14-P18 8 x E: 80 each
Björkskolan (10000002, area Norr), 3 pupils: 8 x C: 120 each

Grade points A=20, B=17.5, C=15, D=12.5, E=10, F=0 (Skolverket, "17 ämnen ger nytt
meritvärde"); no pupil has M1, so merit value 17 = merit value 16 here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.indicators.selectors import values_as_shown
from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.organisation.scopes import scope_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


FILE = Path(__file__).resolve().parent / "data" / "hand_made_grades_2024-25.csv"


@pytest.fixture
def imported(org):
    outcome = facts_import_bytes("grades", FILE.read_bytes(), FILE.name)
    org.outcome = outcome
    return org


def stored(node, indicator: str, breakdown: str = "") -> IndicatorValue:
    return IndicatorValue.objects.get(
        node=node, indicator=indicator, period_kind="year", breakdown=breakdown
    )


def as_board_sees(users, node, indicator: str, breakdown: str = ""):
    value = stored(node, indicator, breakdown)
    [shown] = values_as_shown([value], scope=scope_for(users.board))
    return shown.shown


def test_the_import_reports_both_swedish_subjects_and_keeps_the_file(imported):
    [warning] = [n for n in imported.outcome.notes if "both SV and SVA" in n]
    assert warning.startswith(f"{FILE.name}:3:ämne:")  # P1's SVA, line 3; SV on line 2


def test_the_units_figures_as_computed_by_hand(imported):
    org = imported
    eks, soder, bjork = org.unit_s2, org.unit_s1, org.unit_n2
    merit = stored(eks, "merit_value_17")
    # 85 + 100 + 70 + 80 + 8 x 80 = 975 over 12 pupils (P1's SV A is not counted: SVA C is)
    assert (merit.numerator, merit.n, merit.value) == (975, 12, 81.25)
    assert stored(eks, "merit_value_16").value == 81.25  # no M1
    assert (stored(soder, "merit_value_17").numerator, stored(soder, "merit_value_17").n) == (
        70 + 5 * 80,
        6,
    )
    assert stored(bjork, "merit_value_17").value == 120
    # All subjects: P3 (MA F) and P4 (BI F) miss it; eligibility: only P3 (P4 has 5 others).
    assert (stored(eks, "passed_all_subjects").numerator, stored(eks, "passed_all_subjects").n) == (
        10,
        12,
    )
    assert (stored(eks, "eligible_vocational").numerator, stored(eks, "eligible_vocational").n) == (
        11,
        12,
    )
    # SV counts the 11 pupils without SVA; SVA P1 alone; HKK ended in year 8 counts for P2.
    assert (stored(eks, "passed_SV").n, stored(eks, "passed_SVA").n) == (11, 1)
    assert (stored(eks, "grade_points_HKK").value, stored(eks, "grade_points_HKK").n) == (20, 1)
    assert stored(eks, "passed_MA").numerator == 11


def test_the_organisers_figures_as_computed_by_hand(imported):
    organiser = imported.organiser
    merit = stored(organiser, "merit_value_17")
    assert (merit.numerator, merit.n) == (975 + 470 + 360, 21)
    assert merit.value == pytest.approx(1805 / 21)  # 85.95
    assert stored(organiser, "passed_all_subjects").value == pytest.approx(100 * 18 / 21)
    assert stored(organiser, "eligible_vocational").value == pytest.approx(100 * 19 / 21)
    assert (stored(organiser, "passed_SV").n, stored(organiser, "passed_SV").value) == (20, 100)
    assert stored(organiser, "passed_MA").value == pytest.approx(100 * 20 / 21)


def test_the_board_sees_what_skolverket_would_publish(imported, users):
    """Units: 10 pupils or more shown; "passed all subjects" and subject pass shares are
    numbers though 1-4 pupils miss them; eligibility that 1-4 pupils miss is ~100.
    Söderskolan (6) and Björkskolan (3) are hidden at unit level, and so is the area Norr,
    which is Björkskolan's figure. The organiser (21 pupils) is shown, so the area Söder is
    hidden as Norr's complement (organiser - Norr = Söder); that also keeps Söderskolan from
    being recomputed (Söder - Ekskolan), so Ekskolan, which Skolverket publishes, stays shown
    (complements are settled from the top of the tree down)."""
    org = imported
    eks, soder, bjork = org.unit_s2, org.unit_s1, org.unit_n2
    assert as_board_sees(users, eks, "merit_value_17") == 81.25
    assert as_board_sees(users, eks, "passed_all_subjects") == pytest.approx(100 * 10 / 12)
    assert as_board_sees(users, eks, "passed_MA") == pytest.approx(100 * 11 / 12)
    assert as_board_sees(users, eks, "eligible_vocational") == "~100"
    assert as_board_sees(users, eks, "passed_SVA") == ".."  # one pupil
    for unit in (soder, bjork):
        assert as_board_sees(users, unit, "merit_value_17") == ".."
    for area in (org.area_south, org.area_north):
        assert as_board_sees(users, area, "merit_value_17") == ".."
    assert as_board_sees(users, org.organiser, "merit_value_17") == pytest.approx(1805 / 21)
    assert as_board_sees(users, org.organiser, "passed_all_subjects") == pytest.approx(
        100 * 18 / 21
    )
    assert as_board_sees(users, org.organiser, "eligible_vocational") == "~100"  # 2 miss it
    # The förvaltning, with pupil access, sees the real figures.
    admin = scope_for(users.organiser_admin)
    [real] = values_as_shown([stored(eks, "eligible_vocational")], scope=admin)
    assert real.shown == pytest.approx(100 * 11 / 12)


def _small_file(year: str) -> bytes:
    """Only Söderskolan (6) and Björkskolan (3), as academic year `year`."""
    lines = FILE.read_text("utf-8").splitlines()
    kept = [lines[0]] + [
        line.replace("2024/25", year)
        for line in lines[1:]
        if line.split(";")[1] in ("20000001", "10000002")
    ]
    return ("\n".join(kept) + "\n").encode("utf-8")


@pytest.mark.parametrize(
    ("academic_year", "shown"),
    [
        ("2024/25", pytest.approx((470 + 360) / 9)),  # from 2023/24: 5 at organiser level
        ("2022/23", ".."),  # up to 2022/23: 10 at every level
    ],
)
def test_an_organiser_of_nine_pupils_is_shown_from_2023_24(org, users, academic_year, shown):
    facts_import_bytes("grades", _small_file(academic_year), "small.csv")
    merit = IndicatorValue.objects.get(
        node=org.organiser, indicator="merit_value_17", period_kind="year", breakdown=""
    )
    assert merit.n == 9
    [seen] = values_as_shown([merit], scope=scope_for(users.board))
    assert seen.shown == shown
    for unit in (org.unit_s1, org.unit_n2):  # the units stay hidden either way
        assert as_board_sees(users, unit, "merit_value_17") == ".."
