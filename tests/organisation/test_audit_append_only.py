"""The audit log cannot be changed through the app: the model and its queryset refuse, and the
database's triggers refuse UPDATE and DELETE whatever wrote the SQL (migration 0008), except a
deleted user's or node's reference set to NULL and what audit_unlocked() lets through."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, models, transaction

from skolkvalitet.organisation import actions
from skolkvalitet.organisation.audit import UNLOCK_TABLE, audit_record, audit_unlocked
from skolkvalitet.organisation.models import AuditEvent, AuditLogAppendOnly, NodeKind

pytestmark = pytest.mark.django_db


def raw(queryset_filter) -> models.QuerySet:
    """A plain queryset of AuditEvent: past the model's own refusal, so only the database's
    triggers stand in the way."""
    return models.QuerySet(model=AuditEvent).filter(**queryset_filter)


@pytest.fixture
def event(org, users):
    return audit_record(
        user=users.unit_head,
        action="view_pupils_at_risk",
        node=org.unit_n1,
        pupil_ids=[org.pupils["Alva"].pk],
        detail={"rows": 1},
    )


def test_saving_an_event_again_is_refused(event):
    event.action = "something_else"
    with pytest.raises(AuditLogAppendOnly):
        event.save()
    with pytest.raises(AuditLogAppendOnly):
        event.save(update_fields=["action"])
    assert AuditEvent.objects.get(pk=event.pk).action == "view_pupils_at_risk"


def test_deleting_an_event_is_refused(event):
    with pytest.raises(AuditLogAppendOnly):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda qs: qs.update(action="x"),
        lambda qs: qs.delete(),
        lambda qs: qs.bulk_update(list(qs), ["action"]),
        lambda qs: qs.update_or_create(action="x"),
    ],
    ids=["update", "delete", "bulk_update", "update_or_create"],
)
def test_the_querysets_refuse_to_change_or_delete(event, change):
    with pytest.raises(AuditLogAppendOnly):
        change(AuditEvent.objects.filter(pk=event.pk))
    assert AuditEvent.objects.filter(pk=event.pk, action="view_pupils_at_risk").exists()


def new_value(field: models.Field, event: AuditEvent, org, users):
    """A value of `field` that differs from the event's."""
    values = {
        "id": event.pk + 1000,
        "at": event.at - dt.timedelta(days=1),
        "user": users.organiser_admin.pk,
        "username": "someone_else",
        "action": "login",
        "node": org.unit_s1.pk,
        "pupil_ids": [],
        "detail": {"rows": 0},
        "ip_address": "10.9.9.9",
    }
    return values[field.name]


def concrete_fields() -> list[models.Field]:
    return [field for field in AuditEvent._meta.concrete_fields]


def test_every_column_is_known_to_the_test():
    """A new column needs the triggers of migration 0008 updated (and a value above)."""
    assert {field.column for field in concrete_fields()} == {
        "id",
        "at",
        "user_id",
        "username",
        "action",
        "node_id",
        "pupil_ids",
        "detail",
        "ip_address",
    }


@pytest.mark.parametrize("name", [field.name for field in concrete_fields()])
def test_the_database_refuses_an_update_of_each_column(event, org, users, name):
    field = AuditEvent._meta.get_field(name)
    change = {field.attname: new_value(field, event, org, users)}
    with pytest.raises(IntegrityError), transaction.atomic():
        raw({"pk": event.pk}).update(**change)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.action, stored.username, stored.pupil_ids) == (
        "view_pupils_at_risk",
        "rut",
        [org.pupils["Alva"].pk],
    )


def test_the_database_refuses_a_delete(event):
    with pytest.raises(IntegrityError), transaction.atomic():
        raw({"pk": event.pk}).delete()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM organisation_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_database_refuses_nulling_a_reference_together_with_another_change(event):
    with pytest.raises(IntegrityError), transaction.atomic():
        raw({"pk": event.pk}).update(user=None, username="")


def test_a_deleted_user_leaves_the_event_with_its_username(event, users):
    users.unit_head.delete()
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.user is None
    assert stored.username == "rut"
    assert stored.action == "view_pupils_at_risk"


def test_a_deleted_node_leaves_the_event_without_it(org, users):
    node = actions.node_create(kind=NodeKind.AREA, name="Väst", parent=org.organiser)
    event = audit_record(user=users.organiser_admin, action="node_create", node=node)
    node.delete()
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.node is None
    assert (stored.username, stored.action) == ("agnes", "node_create")


def test_unlocked_lets_changes_through_inside_its_transaction_only(event):
    with audit_unlocked("test"):
        raw({"pk": event.pk}).update(detail={"rows": 1, "pupils_erased": 1}, pupil_ids=[])
    assert AuditEvent.objects.get(pk=event.pk).pupil_ids == []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {UNLOCK_TABLE}")
        assert cursor.fetchone() == (0,)
    with pytest.raises(IntegrityError), transaction.atomic():
        raw({"pk": event.pk}).update(action="x")


def test_unlocked_cleans_up_after_an_error(event):
    with pytest.raises(ValueError), audit_unlocked("test"):
        raise ValueError
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {UNLOCK_TABLE}")
        assert cursor.fetchone() == (0,)


def test_the_triggers_exist_after_every_migration():
    """A later migration that remakes the table (SQLite's ALTER) drops its triggers; this
    test then fails, and the migration must create them again."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'organisation_auditevent'"
            )
            expected = {"organisation_auditevent_no_update", "organisation_auditevent_no_delete"}
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger "
                "WHERE tgrelid = 'organisation_auditevent'::regclass AND NOT tgisinternal"
            )
            expected = {"organisation_auditevent_append_only"}
        assert {row[0] for row in cursor.fetchall()} == expected


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_with_the_rest(org, users):
    """Django's flush (TransactionTestCase ends each test with it; SQLite deletes row by row)
    passes the triggers through the flush command of organisation/management/commands.
    Outside a transaction nothing is unlocked."""
    audit_record(user=users.analyst, action="login")
    with pytest.raises(RuntimeError), audit_unlocked("no transaction"):
        pass
    with pytest.raises(IntegrityError):
        raw({}).delete()
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {UNLOCK_TABLE}")
        assert cursor.fetchone() == (0,)
