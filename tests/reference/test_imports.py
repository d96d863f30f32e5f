"""Importing reference files: recorded as one ImportBatch, all or nothing, and the same file
again changes nothing."""

from __future__ import annotations

import shutil

import pytest
from django.utils import translation
from tests.public_data import public_data

from skolkvalitet.batches.models import ImportBatch
from skolkvalitet.batches.problems import ImportRejected
from skolkvalitet.reference.imports import kolada_import, skolverket_import
from skolkvalitet.reference.models import ReferenceValue, SimilarMunicipality

pytestmark = pytest.mark.django_db

PUBLIC = public_data()
STATISTIK = PUBLIC / "skolverket/statistik"
KOLADA = PUBLIC / "kolada"
KOLADA_FILES = sorted(p.name for p in KOLADA.iterdir())
# One export of each layout (the parser tests read every file; these go to the database).
SKOLVERKET_FILES = (
    "skolverket_slutbetyg_ak9_2024-25_skolenhet.csv",
    "behorighet_grundskola_2024_25.csv",
    "Grundskola - Betyg årskurs 6, andel som fått godkänt betyg (A-E), per kön 2025 Kommun.csv",
    "Grundskola - Personalstatistik med lärarlegitimation och behörighet 2024 Kommun.csv",
    "Gymnasieskola - Kostnader per kommun 2022 Kommun.csv",
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("name", SKOLVERKET_FILES)
def test_a_skolverket_export_is_stored_once(name):
    first = skolverket_import(STATISTIK / name)
    stored = ReferenceValue.objects.count()
    assert not first.unchanged and first.rows == stored > 0
    assert (first.batch.kind, first.batch.source_name, first.batch.rows) == (
        "skolverket",
        name,
        stored,
    )
    again = skolverket_import(STATISTIK / name)
    assert again.unchanged and again.batch == first.batch
    assert ReferenceValue.objects.count() == stored
    assert ImportBatch.objects.count() == 1


def test_stored_values_keep_markers_and_pupil_counts():
    skolverket_import(STATISTIK / "skolverket_slutbetyg_ak9_2024-25_skolenhet.csv")
    # line 65 (1718 of the published file): Aktiviaskolan Enhet Eken;28145722;…;11;..;..;98
    values = ReferenceValue.objects.filter(area_code="28145722")
    merit = values.get(measure="Genomsnittligt meritvärde (17 ämnen)")
    passed = values.get(indicator_key="passed_all_subjects")
    assert (merit.value, merit.marker, merit.area_kind) == (98.0, "", "unit")
    assert (passed.value, passed.marker) == (None, "..")


def test_skipped_rows_are_told():
    outcome = skolverket_import(STATISTIK / "Gymnasieskola - Kostnader per kommun 2022 Kommun.csv")
    assert any("9 rows name an area without a code" in note for note in outcome.notes)


@pytest.mark.parametrize("name", KOLADA_FILES)
def test_every_kolada_file_imports_from_its_folder(name):
    outcome = kolada_import(KOLADA / name)
    assert outcome.batch.kind == "kolada" and outcome.rows > 0
    assert kolada_import(KOLADA / name).unchanged


def test_kolada_values_and_groups_are_stored():
    kolada_import(KOLADA / "riket.txt")
    kolada_import(KOLADA / "sekom.json")
    nation = ReferenceValue.objects.get(kpi="N15419", period="2019", breakdown="", area_code="0000")
    assert (nation.value, nation.indicator_key, nation.organiser_type) == (
        73.4,
        "passed_all_subjects",
        "Kommunal",
    )
    missing = ReferenceValue.objects.get(kpi="N15008", period="2020", area_code="0000")
    assert (missing.value, missing.marker) == (None, ".")
    assert SimilarMunicipality.objects.get(municipality_code="0115").group == "Lila"
    assert SimilarMunicipality.objects.count() == 290


def test_master_data_imports_store_no_values():
    outcome = kolada_import(KOLADA / "Nyckeltal.txt")
    assert outcome.rows == 18 and "Master data" in outcome.notes[0]
    assert not ReferenceValue.objects.exists()


def test_the_same_values_in_another_file_change_nothing(tmp_path):
    kolada_import(KOLADA / "riket.txt")
    first_ids = set(ReferenceValue.objects.values_list("id", flat=True))
    copy = tmp_path / "riket-copy.txt"
    copy.write_bytes((KOLADA / "riket.txt").read_bytes() + b"\n")
    outcome = kolada_import(copy)
    assert not outcome.unchanged  # another file…
    assert set(ReferenceValue.objects.values_list("id", flat=True)) == first_ids  # …same values


def test_a_value_published_again_changed_replaces_the_stored_one(tmp_path):
    folder = tmp_path / "kolada"
    folder.mkdir()
    shutil.copy(KOLADA / "riket.txt", folder / "riket.txt")
    kolada_import(folder / "riket.txt")
    count = ReferenceValue.objects.count()
    text = (folder / "riket.txt").read_text()
    (folder / "riket.txt").write_text(text.replace('"T": 73.4', '"T": 73.5', 1))
    kolada_import(folder / "riket.txt")
    nation = ReferenceValue.objects.get(kpi="N15419", period="2019", breakdown="", area_code="0000")
    assert nation.value == 73.5 and nation.batch.source_name == "riket.txt"
    assert ReferenceValue.objects.count() == count


def test_a_malformed_file_is_rejected_and_nothing_is_written(tmp_path):
    good = (STATISTIK / "Grundskola - Kostnader per kommun 2024 Kommun.csv").read_text("utf-8-sig")
    bad = tmp_path / "kostnader.csv"
    bad.write_text(good.replace("137 600", "137,6,00", 1), "utf-8")
    with pytest.raises(ImportRejected) as rejected:
        skolverket_import(bad)
    assert str(rejected.value.problems[0]).startswith("kostnader.csv:8:Totalt per elev: “137,6,00”")
    assert not ReferenceValue.objects.exists() and not ImportBatch.objects.exists()


def test_master_data_values_need_kommuner_txt_beside_them(tmp_path):
    lonely = tmp_path / "MasterData.txt"
    shutil.copy(KOLADA / "MasterData.txt", lonely)
    with pytest.raises(ImportRejected):
        kolada_import(lonely)
    assert not ImportBatch.objects.exists()
