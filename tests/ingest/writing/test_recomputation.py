"""What an import makes recompute (writer.batch_recomputation): its organiser's figures of
the periods it touched; and where it changes a pupil's background (the attributes the
indicators read), every period of that pupil at every organiser holding them, since a pupil
who moved counts in the other organiser's breakdowns too (review finding, issue 16). A file
that changes nothing but backgrounds recomputes as well."""

from __future__ import annotations

import pytest
from tests.indicators import test_materialise
from tests.indicators.test_materialise import _of, get

from skolkvalitet.indicators.materialise import indicators_materialise
from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.ingest.writing.rollback import import_rollback
from skolkvalitet.ingest.writing.writer import batch_recomputation
from skolkvalitet.organisation.identity import make_personal_number

pytestmark = pytest.mark.django_db

# Two organisers' facts, as the materialisation's tests build them (fixtures).
facts = test_materialise.facts
two_organisers = test_materialise.two_organisers

BACKGROUND_HEADER = (
    "personnummer;skolenhetskod;läsår;årskurs;ankomstdatum;född utomlands;"
    "båda föräldrarna födda utomlands"
)


def leo() -> str:
    """Grannby's pupil Leo (MA grade E, passed), as two_organisers made him."""
    import datetime as dt

    return make_personal_number(dt.date(2010, 6, 1), 701)


def newly_arrived_leo(unit_code: str) -> bytes:
    """A pupils file: Leo at `unit_code` in 2024/25, immigrated 2023, born abroad, both parents
    too: newly arrived in 2024/25 (Skolverket: immigrated in the year or the three before)."""
    return f"{BACKGROUND_HEADER}\n{leo()};{unit_code};2024/25;9;2023-03-01;ja;ja\n".encode()


def test_a_pupils_file_recomputes_the_other_organisers_figures_of_a_pupil_it_changes(
    two_organisers,
):
    ns = two_organisers
    indicators_materialise()
    year = ns.year.pk
    assert get("passed_MA", ns.other_unit, "year", year, "newly_arrived=no").n == 5
    # Exempelstad imports Leo, now at its Ekskolan, with the background he came with.
    batch = facts_import_bytes("pupils", newly_arrived_leo("20000002"), "elever.csv").batch
    assert batch is not None and batch.organiser_id == ns.org.organiser.pk
    wanted = batch_recomputation(batch)
    assert wanted.organisers == sorted([ns.org.organiser.pk, ns.other.pk])
    assert year in wanted.years
    # Grannby's figures follow: Leo (E, passed) is newly arrived in its year-9 MA too.
    arrived = get("passed_MA", ns.other_unit, "year", year, "newly_arrived=yes")
    assert (arrived.n, arrived.numerator) == (1, 1)
    assert get("passed_MA", ns.other_unit, "year", year, "newly_arrived=no").n == 4
    after_import = _of(ns.other)
    indicators_materialise(organiser=ns.other)
    assert _of(ns.other) == after_import  # as a full recompute of Grannby gives

    # Rolled back, Leo's background is as before, and so are Grannby's figures.
    import_rollback(batch)
    assert get("passed_MA", ns.other_unit, "year", year, "newly_arrived=no").n == 5
    assert not IndicatorValue.objects.filter(
        node=ns.other_unit, indicator="passed_MA", breakdown="newly_arrived=yes", n__gt=0
    ).exists()


def test_a_file_that_changes_only_backgrounds_recomputes_them(two_organisers):
    ns = two_organisers
    # Grannby's own pupils file, first without backgrounds: Leo's enrolment as files give it.
    plain = f"personnummer;skolenhetskod;läsår;årskurs\n{leo()};30000001;2024/25;9\n"
    facts_import_bytes("pupils", plain.encode(), "grannby-1.csv")
    year = ns.year.pk
    assert get("passed_MA", ns.other_unit, "year", year, "newly_arrived=no").n == 5
    batch = facts_import_bytes("pupils", newly_arrived_leo("30000001"), "grannby-2.csv").batch
    assert batch is not None and batch.organiser_id == ns.other.pk
    assert batch_recomputation(batch).organisers == [ns.other.pk]
    # Leo's enrolment at Grannskolan is as stored: only his background changed.
    assert not batch.journal.filter(table="organisation_enrolment").exists()
    arrived = get("passed_MA", ns.other_unit, "year", year, "newly_arrived=yes")
    assert (arrived.n, arrived.numerator) == (1, 1)


def test_names_alone_recompute_nothing_more(two_organisers):
    """An SS 12000 sync changes given and family names: no figure reads them."""
    from skolkvalitet.batches.models import ImportBatch, ImportJournal, JournalAction

    ns = two_organisers
    batch = ImportBatch.objects.create(kind="ss12000", source_name="sync", organiser=ns.other)
    ImportJournal.objects.create(
        batch=batch,
        table="organisation_pupil",
        action=JournalAction.UPDATED,
        columns=["id", "given_name", "family_name"],
        rows=[[ns.org.pupils["Alva"].pk, "Alfa", ""]],
    )
    wanted = batch_recomputation(batch)
    assert (wanted.years, wanted.points, wanted.organisers) == (set(), set(), [ns.other.pk])
