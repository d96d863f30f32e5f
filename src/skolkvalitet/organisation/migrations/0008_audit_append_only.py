"""The audit log becomes append-only in the database (docs/security.md, "Audit log"):
triggers refuse UPDATE and DELETE of organisation_auditevent, on SQLite and PostgreSQL alike.

Two changes pass: setting a deleted user's or node's reference to NULL with every other
column unchanged (Django's on_delete=SET_NULL; the username stays), and anything done while a
row of organisation_auditunlock exists, which organisation.audit.audit_unlocked() writes and
removes inside one transaction (the erasure of removed pupils' ids by retention, and the
flush command). That table has no model, so that no ORM path writes it and Django's flush,
which empties the models' tables, leaves it alone. The columns compared are every column of the table:
tests/organisation/test_audit_append_only.py changes each field of the model and fails when
a column is added without updating these triggers."""

from django.db import migrations

COLUMNS_KEPT = ("id", "at", "username", "action", "pupil_ids", "detail", "ip_address")
COLUMNS_NULLABLE = ("user_id", "node_id")

SQLITE_UNCHANGED = " AND ".join(
    [f"NEW.{column} IS OLD.{column}" for column in COLUMNS_KEPT]
    + [f"(NEW.{column} IS OLD.{column} OR NEW.{column} IS NULL)" for column in COLUMNS_NULLABLE]
)
UNLOCK_CREATE = "CREATE TABLE organisation_auditunlock (reason varchar(64) NOT NULL)"
UNLOCK_DROP = "DROP TABLE IF EXISTS organisation_auditunlock"

SQLITE_CREATE = [
    UNLOCK_CREATE,
    f"""
    CREATE TRIGGER organisation_auditevent_no_update
    BEFORE UPDATE ON organisation_auditevent
    WHEN NOT EXISTS (SELECT 1 FROM organisation_auditunlock) AND NOT ({SQLITE_UNCHANGED})
    BEGIN
        SELECT RAISE(ABORT, 'organisation_auditevent is append-only: UPDATE refused');
    END
    """,
    """
    CREATE TRIGGER organisation_auditevent_no_delete
    BEFORE DELETE ON organisation_auditevent
    WHEN NOT EXISTS (SELECT 1 FROM organisation_auditunlock)
    BEGIN
        SELECT RAISE(ABORT, 'organisation_auditevent is append-only: DELETE refused');
    END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS organisation_auditevent_no_update",
    "DROP TRIGGER IF EXISTS organisation_auditevent_no_delete",
    UNLOCK_DROP,
]

POSTGRESQL_UNCHANGED = " AND ".join(
    [f"NEW.{column} IS NOT DISTINCT FROM OLD.{column}" for column in COLUMNS_KEPT]
    + [
        f"(NEW.{column} IS NOT DISTINCT FROM OLD.{column} OR NEW.{column} IS NULL)"
        for column in COLUMNS_NULLABLE
    ]
)
POSTGRESQL_CREATE = [
    UNLOCK_CREATE,
    f"""
    CREATE OR REPLACE FUNCTION organisation_auditevent_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM organisation_auditunlock) THEN
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NEW;
        END IF;
        IF TG_OP = 'UPDATE' AND {POSTGRESQL_UNCHANGED} THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'organisation_auditevent is append-only: % refused', TG_OP
            USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    """
    CREATE TRIGGER organisation_auditevent_append_only
    BEFORE UPDATE OR DELETE ON organisation_auditevent
    FOR EACH ROW EXECUTE FUNCTION organisation_auditevent_append_only()
    """,
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS organisation_auditevent_append_only ON organisation_auditevent",
    "DROP FUNCTION IF EXISTS organisation_auditevent_append_only()",
    UNLOCK_DROP,
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise NotImplementedError(
                f"No append-only triggers for {schema_editor.connection.vendor}"
            )
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("organisation", "0007_node_two_factor_required"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        ),
    ]
