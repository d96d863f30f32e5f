"""After a rollback, its batch records until the figures are recomputed that they still
include its rows (ImportBatch.recompute_pending): set in the rollback's transaction, cleared by
the recomputation of those periods or by a full one of its organiser, and only an organiser's
own admin may start it again from the Import page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.batches.test_selectors import PUPIL_A, PUPIL_B, grades, other  # noqa: F401

from skolkvalitet.batches.actions import (
    batch_pending_organisers,
    batch_recompute_pending,
    batches_recomputed,
)
from skolkvalitet.batches.models import ImportBatch
from skolkvalitet.indicators.materialise import indicators_materialise
from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.ingest.files.importer import facts_import_bytes
from skolkvalitet.ingest.writing.rollback import import_rollback
from skolkvalitet.organisation import actions
from skolkvalitet.organisation.models import AcademicYear, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_imports(org, other):  # noqa: F811
    """One grades file of each organiser, both applied."""
    a = facts_import_bytes("grades", grades(PUPIL_A, "20000002"), "a.csv").batch
    b = facts_import_bytes("grades", grades(PUPIL_B, "30000001"), "b.csv").batch
    assert a is not None and b is not None
    return a, b


def year() -> int:
    return AcademicYear.objects.get(code="2024/25").pk


def test_a_rollback_that_recomputes_at_once_leaves_nothing_waiting(two_imports):
    a, _b = two_imports
    import_rollback(a)
    a.refresh_from_db()
    assert a.recompute_pending is None


def test_a_rollback_that_leaves_the_recomputation_to_the_worker_records_its_periods(two_imports):
    a, _b = two_imports
    assert import_rollback(a, recompute=False) == ({year()}, set())
    a.refresh_from_db()
    assert a.recompute_pending == {"years": [year()], "points": [], "organisers": [a.organiser_id]}
    # The figures still include the rolled-back grade: the unit's MA pass share rests on it.
    assert IndicatorValue.objects.filter(node__code="20000002", indicator="passed_MA").exists()


def test_nothing_waits_for_a_rollback_that_touched_no_period(two_imports):
    a, _b = two_imports
    batch_recompute_pending(a, [], [], [a.organiser_id])
    a.refresh_from_db()
    assert a.recompute_pending is None


def test_a_full_recomputation_of_one_organiser_ends_only_its_own_batches_wait(two_imports, other):  # noqa: F811
    a, b = two_imports
    organiser_b, _unit, _admin = other
    import_rollback(a, recompute=False)
    import_rollback(b, recompute=False)
    indicators_materialise(organiser=organiser_b)
    assert ImportBatch.objects.get(pk=a.pk).recompute_pending is not None
    assert ImportBatch.objects.get(pk=b.pk).recompute_pending is None
    indicators_materialise()
    assert ImportBatch.objects.get(pk=a.pk).recompute_pending is None


def test_a_recomputation_of_some_years_leaves_the_batch_waiting(two_imports):
    """Only the recomputation started for the batch, or a full one, says its figures followed:
    one of named years (an import's) need not cover its periods."""
    a, _b = two_imports
    import_rollback(a, recompute=False)
    indicators_materialise(years=[year()])
    assert ImportBatch.objects.get(pk=a.pk).recompute_pending is not None
    assert batches_recomputed(batch_ids=[a.pk]) == 1
    assert ImportBatch.objects.get(pk=a.pk).recompute_pending is None


def test_recomputing_again_from_the_import_page(client, users, two_imports, settings):
    a, _b = two_imports
    import_rollback(a, recompute=False)
    assert IndicatorValue.objects.filter(node__code="20000002", indicator="passed_MA").exists()
    client.force_login(users.organiser_admin)
    page = client.get(reverse("import_page")).content.decode()
    assert f'id="recompute-pending-{a.pk}"' in page
    settings.SKOLKVALITET_IMPORT_IN_BACKGROUND = False  # at once, in the request
    response = client.post(reverse("import_batch_recompute", args=[a.pk]), follow=True)
    assert "Resultaten räknades om." in response.content.decode()
    a.refresh_from_db()
    assert a.recompute_pending is None
    # The unit's figures no longer rest on the rolled-back grade.
    assert not IndicatorValue.objects.filter(
        node__code="20000002", indicator="passed_MA", n__gt=0
    ).exists()
    response = client.post(reverse("import_batch_recompute", args=[a.pk]), follow=True)
    assert "Resultaten är redan omräknade." in response.content.decode()


def test_another_organisers_admin_cannot_start_it(client, two_imports, other):  # noqa: F811
    a, _b = two_imports
    import_rollback(a, recompute=False)
    _organiser_b, _unit, admin_b = other
    client.force_login(admin_b)
    assert client.post(reverse("import_batch_recompute", args=[a.pk])).status_code == 404
    a.refresh_from_db()
    assert a.recompute_pending is not None


def test_a_user_who_may_not_roll_back_cannot_start_it(client, org, two_imports, make_user):
    """An organiser admin of an area sees the organiser's imports but rolls back none
    (ROLL_BACK_IMPORTS counts on the organiser's node only): no button, and the view refuses."""
    a, _b = two_imports
    import_rollback(a, recompute=False)
    north_admin = make_user("nora")
    actions.role_grant(user=north_admin, node=org.area_north, role=Role.ORGANISER_ADMIN)
    client.force_login(north_admin)
    page = client.get(reverse("import_page")).content.decode()
    assert f'id="recompute-pending-{a.pk}"' in page  # it sees that the figures wait
    assert reverse("import_batch_recompute", args=[a.pk]) not in page
    assert client.post(reverse("import_batch_recompute", args=[a.pk])).status_code in (403, 404)
    a.refresh_from_db()
    assert a.recompute_pending is not None


def test_a_full_recomputation_of_one_organiser_leaves_a_batch_that_waits_for_another_too(
    two_imports,
    other,  # noqa: F811
):
    a, _b = two_imports
    organiser_b, _unit, _admin = other
    import_rollback(a, recompute=False)
    a.refresh_from_db()
    batch_recompute_pending(a, [year()], [], [a.organiser_id, organiser_b.pk])
    indicators_materialise(organiser=organiser_b)
    assert ImportBatch.objects.get(pk=a.pk).recompute_pending is not None
    indicators_materialise(organisers=[a.organiser_id, organiser_b.pk])
    assert ImportBatch.objects.get(pk=a.pk).recompute_pending is None


def test_a_rollback_committed_while_a_full_recomputation_runs_still_waits(two_imports, monkeypatch):
    """The full run may have read the rolled-back rows before the rollback: it settles only
    the rollbacks that waited when it began."""
    from skolkvalitet.indicators import materialise

    a, _b = two_imports
    real = materialise._materialise
    rolled_back: list[int] = []

    def meanwhile(*args, **kwargs):
        result = real(*args, **kwargs)
        if not rolled_back:  # after the first organiser's figures are computed
            import_rollback(a, recompute=False)
            rolled_back.append(a.pk)
        return result

    monkeypatch.setattr(materialise, "_materialise", meanwhile)
    indicators_materialise()
    assert rolled_back == [a.pk]
    assert ImportBatch.objects.get(pk=a.pk).recompute_pending is not None


def test_a_record_from_before_the_organisers_were_recorded_waits_for_its_batchs_organiser(
    two_imports,
):
    a, _b = two_imports
    import_rollback(a, recompute=False)
    ImportBatch.objects.filter(pk=a.pk).update(recompute_pending={"years": [year()], "points": []})
    a.refresh_from_db()
    assert batch_pending_organisers(a) == [a.organiser_id]
    indicators_materialise(organiser=a.organiser_id)
    assert ImportBatch.objects.get(pk=a.pk).recompute_pending is None


def test_a_batch_whose_organiser_is_gone_is_listed_where_its_figures_wait(
    client,
    users,
    two_imports,
    other,  # noqa: F811
    settings,
):
    """The rollback of an import that created its organiser removes that organiser; what it
    changed in the background of another organiser's pupils still waits there. That
    organiser's admin sees it on the Import page and may start it again; no one else does."""
    a, _b = two_imports
    organiser_b, _unit, admin_b = other
    gone = organiser_b.pk + 1000  # no node has this id: the organiser the rollback removed
    ImportBatch.objects.filter(pk=a.pk).update(
        organiser_id=gone,
        recompute_pending={"years": [year()], "points": [], "organisers": [organiser_b.pk]},
    )
    client.force_login(admin_b)
    page = client.get(reverse("import_page")).content.decode()
    assert f'id="recompute-pending-{a.pk}"' in page
    assert reverse("import_batch_recompute", args=[a.pk]) in page
    client.force_login(users.organiser_admin)
    page = client.get(reverse("import_page")).content.decode()
    assert f'id="recompute-pending-{a.pk}"' not in page
    assert client.post(reverse("import_batch_recompute", args=[a.pk])).status_code == 404
    client.force_login(admin_b)
    settings.SKOLKVALITET_IMPORT_IN_BACKGROUND = False  # at once, in the request
    response = client.post(reverse("import_batch_recompute", args=[a.pk]), follow=True)
    assert "Resultaten räknades om." in response.content.decode()
    assert ImportBatch.objects.get(pk=a.pk).recompute_pending is None
