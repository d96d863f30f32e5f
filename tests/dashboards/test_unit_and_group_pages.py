"""The unit page's grade distribution, tables and downloads, and the group page (the drill-down
to one class, and a teacher's way into the results), on the hand-computed facts of
tests/indicators/test_materialise.py.

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
from skolkvalitet.dashboards.selectors import grade_distribution, group_page
from skolkvalitet.organisation.models import AuditEvent
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.results.models import Assessment

pytestmark = pytest.mark.django_db


def csv_lines(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return response.content.decode("utf-8-sig").splitlines()


def test_the_grade_distribution_counts_the_units_final_grades(materialised, users):  # noqa: F811
    org = materialised.org
    scope = scope_for(users.unit_head)
    found = {d.subject: d for d in grade_distribution(scope, org.unit_n1, org.year)}
    assert list(found) == ["SV", "EN", "MA", "M1"]  # the registry's subject order
    assert found["SV"].n == 5
    assert found["SV"].shares == {
        "A": 20.0, "B": 20.0, "C": 20.0, "D": 0.0, "E": 20.0, "F": 20.0, "-": 0.0
    }  # fmt: skip
    assert found["MA"].shares["F"] == 40.0 and found["MA"].passed == 60.0
    assert found["M1"].n == 1  # Alva's språkval


def test_the_distribution_counts_the_leaving_certificate_as_the_indicators_do(
    materialised,  # noqa: F811
    users,
):
    """Two pupils more, graded at unit_n1 in year 9: one with SV E and SVA C in the same
    term (SVA counts: skolförordningen 5 kap. 15 §), one who ended hem- och
    konsumentkunskap with A in year 8 the year before. SV keeps its five pupils, SVA gets one,
    HKK one: the distribution counts the pupils the share passed of each subject counts."""
    import datetime as dt

    from skolkvalitet.organisation.models import AcademicYear, Term
    from skolkvalitet.results.models import Grade, Subject

    org = materialised.org
    subject = {s.code: s for s in Subject.objects.filter(code__in=["SV", "SVA", "HKK", "MA"])}
    earlier = AcademicYear.objects.create(
        code="2023/24", start_date=dt.date(2023, 7, 1), end_date=dt.date(2024, 6, 30)
    )
    last_spring = Term.objects.create(
        academic_year=earlier, kind="VT", start_date=dt.date(2024, 1, 8),
        end_date=dt.date(2024, 6, 14),
    )  # fmt: skip

    def final(pupil, code, value, *, term=materialised.vt, year_group=9):
        return Grade(pupil_id=pupil, unit=org.unit_n1, term=term, year_group=year_group,
                     subject=subject[code], value=value, grade_type="final",
                     batch=materialised.batch)  # fmt: skip

    Grade.objects.bulk_create(
        [
            final(9101, "SV", "E"),
            final(9101, "SVA", "C"),
            final(9102, "MA", "B"),
            final(9102, "HKK", "A", term=last_spring, year_group=8),
        ]
    )
    found = {
        d.subject: d for d in grade_distribution(scope_for(users.unit_head), org.unit_n1, org.year)
    }
    assert found["SV"].n == 5  # not six: pupil 9101's SV gave way to SVA
    assert (found["SVA"].n, found["SVA"].shares["C"]) == (1, 100.0)
    assert (found["HKK"].n, found["HKK"].shares["A"]) == (1, 100.0)
    assert found["MA"].n == 6


def test_the_board_sees_a_small_units_distribution_hidden(materialised, users):  # noqa: F811
    org = materialised.org
    hidden = grade_distribution(scope_for(users.board), org.unit_n1, org.year)
    assert all(d.shares == dict.fromkeys("ABCDEF-", "..") for d in hidden)


def test_the_board_sees_no_distribution_whose_share_passed_is_suppressed(materialised, users):  # noqa: F811
    """Ten more pupils with E in engelska: 15 graded, so large enough on its own. But where
    the materialised share passed in engelska is hidden (`..` as the complement of another
    figure), A–E and F of the distribution would give it away, so the whole subject is
    hidden."""
    from skolkvalitet.indicators.models import IndicatorValue
    from skolkvalitet.results.models import Grade, Subject

    org = materialised.org
    english = Subject.objects.get(code="EN")
    Grade.objects.bulk_create(
        Grade(pupil_id=9000 + i, unit=org.unit_n1, term=materialised.vt, year_group=9,
              subject=english, value="E", grade_type="final", batch=materialised.batch)
        for i in range(10)
    )  # fmt: skip
    board = scope_for(users.board)
    passed_en = IndicatorValue.objects.filter(
        node=org.unit_n1, indicator="passed_EN", period_kind="year", breakdown=""
    )
    assert passed_en.update(suppression="") == 1  # as if shown
    [en] = [d for d in grade_distribution(board, org.unit_n1, org.year) if d.subject == "EN"]
    assert en.n == 15 and not en.suppressed
    passed_en.update(suppression="..")
    [en] = [d for d in grade_distribution(board, org.unit_n1, org.year) if d.subject == "EN"]
    assert en.shares == dict.fromkeys("ABCDEF-", "..") and en.passed == ".."
    [en] = [
        d
        for d in grade_distribution(scope_for(users.unit_head), org.unit_n1, org.year)
        if d.subject == "EN"
    ]
    assert en.shares["E"] == pytest.approx(100 * 11 / 15)  # Cesar and the ten: shown


def test_the_board_sees_a_subject_that_one_to_four_pupils_fail_as_skolverket_shows_it(
    materialised,  # noqa: F811
    users,
):
    """Ten more pupils with E in engelska at each unit: unit_n1 has 15 graded, David's F the
    only fail (no unit is small, so nothing is hidden as a complement). Skolverket publishes
    subject pass shares as numbers (no `~100`), so the materialised passed_EN (14 of 15) is
    shown to the board, and so is the distribution (the unit-level limit of 10 is met)."""
    from skolkvalitet.indicators.materialise import indicators_materialise
    from skolkvalitet.indicators.models import IndicatorValue
    from skolkvalitet.results.models import Grade, Subject

    org = materialised.org
    english = Subject.objects.get(code="EN")
    units = (org.unit_n1, org.unit_n2, org.unit_s1, org.unit_s2)
    Grade.objects.bulk_create(
        Grade(pupil_id=9000 + 10 * u + i, unit=unit, term=materialised.vt, year_group=9,
              subject=english, value="E", grade_type="final", batch=materialised.batch)
        for u, unit in enumerate(units)
        for i in range(10)
    )  # fmt: skip
    indicators_materialise()
    passed_en = IndicatorValue.objects.get(
        node=org.unit_n1, indicator="passed_EN", period_kind="year", breakdown=""
    )
    assert (passed_en.n, passed_en.numerator, passed_en.suppression) == (15, 14, "")
    board = scope_for(users.board)
    [en] = [d for d in grade_distribution(board, org.unit_n1, org.year) if d.subject == "EN"]
    assert en.n == 15 and en.shares["F"] == pytest.approx(100 / 15)
    assert en.passed == pytest.approx(100 * 14 / 15)


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
    client.force_login(users.organizer_admin)
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
    client.force_login(users.organizer_admin)
    # 17: the grade distribution asks once whether a leaving certificate holds an ended
    # subject or both SV and SVA (then it counts them as the indicators do).
    with django_assert_max_num_queries(17):
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


def test_the_group_page_shows_the_groups_own_figures(materialised, users):  # noqa: F811
    org = materialised.org
    data = group_page(scope_for(users.teacher), org.group_n1a)
    [points] = [s for s in data.sections if s.key == "points"]
    ma = next(r for r in points.rows if r.indicator.key == "on_track_MA")
    # 7A: Alva A, Bella F, Cesar E at point 1 (2 of 3); Alva B, Bella B at point 2.
    assert ma.values[0] == (pytest.approx(200 / 3), 3)
    assert ma.values[1] == (100.0, 2)
    assert data.pupil_access


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


def test_final_grades_against_tests_are_year_9s_not_mixed_with_year_6(materialised, users):  # noqa: F811
    """Four year-9 pupils whose final grade in MA (C) is higher than their test grade (E) and
    four year-6 pupils whose term grade (E) is lower than their test (C), at Norrskolan. The
    unit page's "final grade compared with the test grade" is year 9's: 100 % higher; mixed
    with year 6 it would say 50 % higher and 50 % lower."""
    from skolkvalitet.dashboards.selectors import unit_page
    from skolkvalitet.indicators.materialise import indicators_materialise
    from skolkvalitet.results.models import Grade, NationalTest, Subject

    org = materialised.org
    maths = Subject.objects.get(code="MA")
    common = {"unit": org.unit_n1, "term": materialised.vt, "subject": maths}
    common["batch"] = materialised.batch
    for i in range(4):
        nine, six = 9400 + i, 9500 + i
        Grade.objects.create(pupil_id=nine, year_group=9, value="C", grade_type="final", **common)
        NationalTest.objects.create(pupil_id=nine, year_group=9, value="E", scale="grade", **common)
        Grade.objects.create(pupil_id=six, year_group=6, value="E", grade_type="term", **common)
        NationalTest.objects.create(pupil_id=six, year_group=6, value="C", scale="grade", **common)
    indicators_materialise()
    page = unit_page(scope_for(users.organizer_admin), org.unit_n1)
    shown = {row.indicator.key: row.shown_values[0] for row in page.tests}
    assert shown["test_vs_grade_higher_MA"] == 100.0
    assert shown["test_vs_grade_lower_MA"] == 0.0
    assert {row.breakdown for row in page.tests} == {"year_group=9"}


def test_the_distribution_counts_grundskolas_pupils_only(materialised, users):  # noqa: F811
    """Two pupils more at Norrskolan with MA A in year 9, enrolled in anpassad grundskola
    (GRS): grundskola's distribution leaves them out, as the final-grade indicators do."""
    from skolkvalitet.organisation.models import Enrolment, Pupil
    from skolkvalitet.results.models import Grade, Subject

    org = materialised.org
    maths = Subject.objects.get(code="MA")
    for i in range(2):
        pupil = Pupil.objects.create(pseudonym=f"grs-{i}", birth_year=2010, legal_gender="F")
        Enrolment.objects.create(pupil=pupil, academic_year=org.year, unit=org.unit_n1,
                                 school_form="GRS", year_group=9)  # fmt: skip
        Grade.objects.create(pupil_id=pupil.pk, unit=org.unit_n1, term=materialised.vt,
                             year_group=9, subject=maths, value="A", grade_type="final",
                             batch=materialised.batch)  # fmt: skip
    found = {
        d.subject: d for d in grade_distribution(scope_for(users.unit_head), org.unit_n1, org.year)
    }
    assert found["MA"].n == 5  # not 7
    assert found["MA"].shares["F"] == 40.0  # 2 of 5, as before
