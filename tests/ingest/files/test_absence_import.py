"""The absence file in periods (docs/formats.md, `absence`): rows per month or week with från
and till, or per term without them; periods inside their term and not overlapping, in the file
or with what is stored; the same file twice changes nothing; a rollback restores what a
period replaced; and the indicators at each follow-up point count the periods ended by then."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from tests.ingest.files.test_importer import pnr, problems_of

from skolkvalitet.batches.models import ImportBatch
from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.ingest.writing.rollback import import_rollback
from skolkvalitet.quality.actions import calendar_points_default
from skolkvalitet.results.models import Absence

pytestmark = pytest.mark.django_db

HEADER = "personnummer;skolenhetskod;läsår;termin;från;till;årskurs;schemalagd tid;frånvaro"
TERM_HEADER = "personnummer;skolenhetskod;läsår;termin;årskurs;schemalagd tid;frånvaro"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def stored() -> list[tuple[str, str, int, int]]:
    rows = Absence.objects.order_by("starts_on")
    return [(str(a.starts_on), str(a.ends_on), a.scheduled_minutes, a.absent_minutes) for a in rows]


def months(josef: str, *, october: int = 1500) -> bytes:
    """Josef at Ekskolan: 10 % in September (600 of 6 000), October `october` of 6 000."""
    return csv(
        f"{josef};20000002;2024/25;HT;2024-09-01;2024-09-30;9;6000;600",
        f"{josef};20000002;2024/25;HT;2024-10-01;2024-10-31;9;6000;{october}",
    )


def test_monthly_rows_are_stored_as_periods(org):
    facts_import_bytes("absence", months(pnr(org, "Josef")), "franvaro.csv")
    assert stored() == [
        ("2024-09-01", "2024-09-30", 6000, 600),
        ("2024-10-01", "2024-10-31", 6000, 1500),
    ]
    assert {a.term.code for a in Absence.objects.all()} == {"HT2024"}


def test_a_row_without_from_and_to_is_the_whole_term(org):
    facts_import_bytes(
        "absence",
        csv(f"{pnr(org, 'Josef')};20000002;2024/25;VT;9;21600;3240", header=TERM_HEADER),
        "t.csv",
    )
    assert stored() == [("2025-01-08", "2025-06-14", 21600, 3240)]


def test_the_organisers_own_term_dates_bound_the_periods(org):
    calendar_points_default(academic_year=2024)
    from skolkvalitet.organisation.models import Term

    Term.objects.filter(academic_year__code="2024/25", kind="HT").update(
        start_date=dt.date(2024, 8, 19)
    )
    josef = pnr(org, "Josef")
    messages = problems_of(
        lambda: facts_import_bytes(
            "absence", csv(f"{josef};20000002;2024/25;HT;2024-08-15;2024-08-31;9;100;0"), "f.csv"
        )
    )
    assert messages == [
        "f.csv:2:från: The period 2024-08-15 – 2024-08-31 is not inside the term HT2024 "
        "(2024-08-19 – 2024-12-22)."
    ]


def test_bad_periods_are_reported_at_their_line_and_nothing_is_written(org):
    josef, ida = pnr(org, "Josef"), pnr(org, "Ida")
    data = csv(
        f"{josef};20000002;2024/25;HT;2024-09-01;2024-09-30;9;6000;600",
        f"{josef};20000002;2024/25;HT;2024-09-15;2024-10-15;9;6000;600",  # overlaps line 2
        f"{josef};20000002;2024/25;VT;2024-12-01;2025-01-31;9;6000;600",  # outside VT
        f"{ida};20000002;2024/25;HT;2024-10-31;2024-10-01;9;6000;600",  # backwards
        f"{ida};20000002;2024/25;HT;2024-09-01;;9;6000;600",  # no till
        f"{ida};20000002;2024/25;HT;2024-11-01;2024-11-30;9;100;101",  # absent > scheduled
    )
    messages = problems_of(lambda: facts_import_bytes("absence", data, "f.csv"))
    assert messages == [
        "f.csv:3:från: The period overlaps the one on line 2 (the same pupil, unit and term).",
        "f.csv:4:från: The period 2024-12-01 – 2025-01-31 is not inside the term VT2025 "
        "(2025-01-08 – 2025-06-14).",
        "f.csv:5:till: The period ends before it starts.",
        "f.csv:6:från: Give both från and till (the period's first and last day), or neither "
        "for the whole term.",
        "f.csv:7:frånvaro: The absence is longer than the scheduled time.",
    ]
    assert not Absence.objects.exists() and not ImportBatch.objects.exists()


def test_the_same_pupil_at_two_units_may_have_the_same_dates(org):
    josef = pnr(org, "Josef")
    facts_import_bytes(
        "absence",
        csv(
            f"{josef};20000002;2024/25;HT;2024-09-01;2024-09-30;9;6000;600",
            f"{josef};20000001;2024/25;HT;2024-09-01;2024-09-30;7;600;0",
        ),
        "f.csv",
    )
    assert Absence.objects.count() == 2


def test_the_same_file_again_and_the_same_rows_again_change_nothing(org):
    data = months(pnr(org, "Josef"))
    first = facts_import_bytes("absence", data, "f.csv")
    assert facts_import_bytes("absence", data, "f.csv").unchanged
    again = facts_import_bytes("absence", data + b"\n", "f-again.csv")
    assert "2 rows were already stored" in " ".join(again.notes)
    assert list(Absence.objects.values_list("batch_id", flat=True)) == [first.batch.pk] * 2


def test_months_replace_the_whole_term_stored_before_and_rollback_restores_it(org):
    josef = pnr(org, "Josef")
    facts_import_bytes(
        "absence", csv(f"{josef};20000002;2024/25;HT;9;30000;3000", header=TERM_HEADER), "t.csv"
    )
    outcome = facts_import_bytes("absence", months(josef), "m.csv")
    assert stored() == [
        ("2024-09-01", "2024-09-30", 6000, 600),
        ("2024-10-01", "2024-10-31", 6000, 1500),
    ]
    import_rollback(batch=outcome.batch)
    assert stored() == [("2024-08-15", "2024-12-22", 30000, 3000)]


def test_the_whole_term_replaces_its_months(org):
    josef = pnr(org, "Josef")
    facts_import_bytes("absence", months(josef), "m.csv")
    facts_import_bytes(
        "absence", csv(f"{josef};20000002;2024/25;HT;9;30000;3000", header=TERM_HEADER), "t.csv"
    )
    assert stored() == [("2024-08-15", "2024-12-22", 30000, 3000)]


def test_a_corrected_month_replaces_the_stored_one(org):
    josef = pnr(org, "Josef")
    facts_import_bytes("absence", months(josef), "m.csv")
    facts_import_bytes("absence", months(josef, october=900), "m2.csv")
    assert stored() == [
        ("2024-09-01", "2024-09-30", 6000, 600),
        ("2024-10-01", "2024-10-31", 6000, 900),
    ]


def test_the_points_of_the_term_get_the_absence_so_far(org):
    """HT2024's default points: 1 October (September has ended: 10 %) and 15 November
    (October too: 2 100 / 12 000 = 17.5 %)."""
    points = [p for p in calendar_points_default(academic_year=2024) if p.term.kind == "HT"]
    assert [p.assessed_on for p in points] == [dt.date(2024, 10, 1), dt.date(2024, 11, 15)]
    facts_import_bytes("absence", months(pnr(org, "Josef")), "m.csv")

    def at(point, indicator):
        return IndicatorValue.objects.get(
            indicator=indicator,
            node_id=org.unit_s2.pk,
            period_kind="point",
            period_id=point.pk,
            breakdown="",
        )

    first, second = points
    assert at(first, "absence_mean").value == pytest.approx(10)
    assert at(first, "absence_15_percent_or_more").value == 0
    assert at(second, "absence_mean").value == pytest.approx(17.5)
    assert at(second, "absence_15_percent_or_more").value == 100
    # September and October are not the autumn term: until the stored periods reach the
    # term's last day it has absence so far at its points and no term figure.
    assert not IndicatorValue.objects.filter(
        indicator="absence_mean", node_id=org.unit_s2.pk, period_kind="term"
    ).exists()
