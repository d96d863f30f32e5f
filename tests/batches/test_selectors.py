"""An import belongs to its organiser (issue 15, finding 7): the write path records the
organiser whose units a batch wrote to, and a user of organiser A neither sees nor rolls back
organiser B's import, whatever capabilities they hold in A; published reference figures
belong to no organiser."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from skolkvalitet.batches.actions import batch_create
from skolkvalitet.batches.models import BatchStatus, ImportBatch
from skolkvalitet.batches.problems import ImportRejected
from skolkvalitet.batches.selectors import batches_to_roll_back, batches_visible
from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.organisation import actions
from skolkvalitet.organisation.identity import make_personal_number
from skolkvalitet.organisation.models import NodeKind, Role, SchoolForm
from skolkvalitet.organisation.scopes import organiser_ids, scope_for
from skolkvalitet.results.models import Grade

pytestmark = pytest.mark.django_db

HEADER = "personnummer;skolenhetskod;läsår;termin;årskurs;ämne;betyg;betygstyp\n"
PUPIL_A = make_personal_number(dt.date(2010, 4, 2), 246)
PUPIL_B = make_personal_number(dt.date(2010, 5, 3), 358)


@pytest.fixture
def other(org, make_user):
    """A second organiser with one unit (code 30000001) and its own organiser admin."""
    organiser = actions.node_create(
        kind=NodeKind.ORGANISER, name="Grannby kommun", code="2120000002"
    )
    unit = actions.node_create(
        kind=NodeKind.UNIT,
        name="Grannskolan",
        parent=organiser,
        code="30000001",
        school_forms=[SchoolForm.GR],
        year_groups=[7, 8, 9],
    )
    admin = make_user("greta")
    actions.role_grant(user=admin, node=organiser, role=Role.ORGANISER_ADMIN)
    return organiser, unit, admin


def grades(pupil: str, unit_code: str) -> bytes:
    return (HEADER + f"{pupil};{unit_code};2024/25;VT;9;MA;C;slutbetyg\n").encode()


def test_the_organiser_of_a_path_is_its_first_id():
    assert organiser_ids(["/1/4/17/", "/1/", "/12/30/"]) == {1, 12}
    assert organiser_ids([]) == set()


def test_an_import_records_the_organiser_whose_units_it_wrote(org, other):
    organiser_b, _unit, _admin = other
    a = facts_import_bytes("grades", grades(PUPIL_A, "20000002"), "a.csv").batch
    b = facts_import_bytes("grades", grades(PUPIL_B, "30000001"), "b.csv").batch
    assert a is not None and b is not None
    assert (a.organiser_id, b.organiser_id) == (org.organiser.pk, organiser_b.pk)


def test_an_import_that_reaches_two_organisers_is_refused_and_writes_nothing(org, other):
    both = (
        grades(PUPIL_A, "20000002") + f"{PUPIL_B};30000001;2024/25;VT;9;MA;C;slutbetyg\n".encode()
    )
    with translation.override("en"), pytest.raises(ImportRejected) as rejected:
        facts_import_bytes("grades", both, "both.csv")
    assert "more than one organiser" in str(rejected.value.problems[0])
    assert not ImportBatch.objects.exists() and not Grade.objects.exists()


def test_each_organiser_sees_and_rolls_back_only_its_own_imports(org, users, other):
    _organiser_b, _unit, admin_b = other
    a = facts_import_bytes("grades", grades(PUPIL_A, "20000002"), "a.csv").batch
    b = facts_import_bytes("grades", grades(PUPIL_B, "30000001"), "b.csv").batch
    published = batch_create(kind="nation", source_name="Riket")  # belongs to no organiser
    scope_a, scope_b = scope_for(users.organiser_admin), scope_for(admin_b)
    assert set(batches_visible(scope_a)) == {a, published}
    assert set(batches_visible(scope_b)) == {b, published}
    assert set(batches_to_roll_back(scope_a)) == {a}
    assert set(batches_to_roll_back(scope_b)) == {b}
    # Roles without the import capability see no imports at all.
    assert not batches_visible(scope_for(users.analyst)).exists()


def test_an_area_admin_may_list_the_organisers_imports_but_roll_back_none(org, users, make_user):
    """IMPORT_DATA counts in the subtree, ROLL_BACK_IMPORTS only on the organiser's node."""
    north_admin = make_user("nora")
    actions.role_grant(user=north_admin, node=org.area_north, role=Role.ORGANISER_ADMIN)
    a = facts_import_bytes("grades", grades(PUPIL_A, "20000002"), "a.csv").batch
    scope = scope_for(north_admin)
    assert list(batches_visible(scope)) == [a]
    assert not batches_to_roll_back(scope).exists()


def test_the_import_page_hides_and_refuses_another_organisers_import(client, org, users, other):
    _organiser_b, _unit, admin_b = other
    b = facts_import_bytes("grades", grades(PUPIL_B, "30000001"), "grannby-betyg.csv").batch
    assert b is not None
    client.force_login(users.organiser_admin)  # may import and roll back, in organiser A
    page = client.get(reverse("import_page")).content.decode()
    assert "grannby-betyg.csv" not in page
    response = client.post(reverse("import_batch_rollback", args=[b.pk]))
    assert response.status_code == 404
    b.refresh_from_db()
    assert b.status == BatchStatus.APPLIED and Grade.objects.count() == 1
    # Its own organiser's admin sees it and rolls it back.
    client.force_login(admin_b)
    assert "grannby-betyg.csv" in client.get(reverse("import_page")).content.decode()
    assert client.post(reverse("import_batch_rollback", args=[b.pk])).status_code == 302
    b.refresh_from_db()
    assert b.status == BatchStatus.ROLLED_BACK and not Grade.objects.exists()


def test_the_same_file_imported_by_another_organiser_is_not_taken_for_its_import(org, users, other):
    """An import of a file already imported answers with the earlier batch; another
    organiser's batch of the same bytes is not that (it would name the other's import)."""
    organiser_b, _unit, _admin = other
    data = grades(PUPIL_B, "30000001")
    first = facts_import_bytes("grades", data, "b.csv").batch
    assert first is not None and first.organiser_id == organiser_b.pk
    with translation.override("en"), pytest.raises(ImportRejected):
        # Organiser A's admin sends the same file: it is checked as new (and its unit is
        # outside A), not answered with organiser B's batch.
        facts_import_bytes("grades", data, "b.csv", unit_paths=[org.organiser.path])
