"""Rotation of the pseudonym key (operations/rotation/): given the personnummer again, every
stored pupil and member of staff gets the pseudonym of its number under the new key, so the
next import under the new key finds the same people; without a number a person is unlinked
only when asked for; a dry run changes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re

import pytest
from django.test import override_settings

from skolkvalitet.operations.rotation.actions import RotationRefused, pseudonyms_rotate
from skolkvalitet.operations.rotation.numbers import numbers_read
from skolkvalitet.organisation import actions
from skolkvalitet.organisation.identity import (
    make_personal_number,
    parse_personal_number,
)
from skolkvalitet.organisation.models import (
    AuditEvent,
    Enrolment,
    Pupil,
    SchoolForm,
    StaffMember,
)

pytestmark = pytest.mark.django_db

OLD, NEW = "the-old-key", "the-new-key"
NUMBERS = {
    "Alva": make_personal_number(dt.date(2010, 3, 15), 238),
    "Bo": make_personal_number(dt.date(2011, 7, 1), 157),
    "Cia": make_personal_number(dt.date(2009, 12, 24), 64, coordination=True),
}
STAFF = make_personal_number(dt.date(1980, 5, 5), 111)


def hand_pseudonym(number: str, key: str) -> str:
    """HMAC-SHA256 over the 12 digits, as docs/security.md says, computed here by hand."""
    return hmac.new(key.encode(), number.encode(), hashlib.sha256).hexdigest()


@pytest.fixture
def people(org):
    with override_settings(PSEUDONYM_KEY=OLD):
        pupils = {
            name: actions.pupil_get_or_create(number=parse_personal_number(n), given_name=name)[0]
            for name, n in NUMBERS.items()
        }
    Enrolment.objects.create(
        pupil=pupils["Bo"],
        academic_year=org.year,
        unit=org.unit_n1,
        school_form=SchoolForm.GR,
        year_group=7,
    )
    staff = StaffMember.objects.create(pseudonym=hand_pseudonym(STAFF, OLD), given_name="Sten")
    # The org fixture's own pupils were made under the test key: out of this test's way.
    Pupil.objects.exclude(pk__in=[p.pk for p in pupils.values()]).delete()
    return pupils, staff


def parsed(*numbers: str):
    return [parse_personal_number(n) for n in numbers]


def test_every_pseudonym_is_the_numbers_under_the_new_key(people) -> None:
    pupils, staff = people
    assert pupils["Alva"].pseudonym == hand_pseudonym(NUMBERS["Alva"], OLD)
    outcome = pseudonyms_rotate(numbers=parsed(*NUMBERS.values(), STAFF), old_key=OLD, new_key=NEW)
    assert outcome.rekeyed == {"organisation_pupil": 3, "organisation_staffmember": 1}
    assert outcome.unmatched == {"organisation_pupil": 0, "organisation_staffmember": 0}
    for name, number in NUMBERS.items():
        pupil = Pupil.objects.get(pk=pupils[name].pk)
        assert pupil.pseudonym == hand_pseudonym(number, NEW)
        assert pupil.given_name == name
    assert StaffMember.objects.get(pk=staff.pk).pseudonym == hand_pseudonym(STAFF, NEW)
    assert Enrolment.objects.get(pupil=pupils["Bo"]).unit.name == "Norrskolan"


def test_the_next_import_under_the_new_key_finds_the_same_pupil(people) -> None:
    pupils, _staff = people
    pseudonyms_rotate(numbers=parsed(*NUMBERS.values(), STAFF), old_key=OLD, new_key=NEW)
    with override_settings(PSEUDONYM_KEY=NEW):
        found, created = actions.pupil_get_or_create(number=parse_personal_number(NUMBERS["Bo"]))
    assert (found.pk, created) == (pupils["Bo"].pk, False)
    with override_settings(PSEUDONYM_KEY=OLD):  # the old key finds no one any more
        _pupil, created = actions.pupil_get_or_create(number=parse_personal_number(NUMBERS["Bo"]))
    assert created


def test_a_person_without_a_number_stops_the_rotation_unless_unlinking_is_asked(people) -> None:
    before = sorted(Pupil.objects.values_list("pk", "pseudonym"))
    with pytest.raises(RotationRefused) as refused:
        pseudonyms_rotate(numbers=parsed(NUMBERS["Alva"], STAFF), old_key=OLD, new_key=NEW)
    assert refused.value.outcome.unmatched == {
        "organisation_pupil": 2,
        "organisation_staffmember": 0,
    }
    assert sorted(Pupil.objects.values_list("pk", "pseudonym")) == before
    assert not AuditEvent.objects.filter(action="pseudonym_key_rotate").exists()


def test_an_unlinked_pupil_keeps_its_history_and_no_key_finds_it(people) -> None:
    pupils, _staff = people
    pseudonyms_rotate(
        numbers=parsed(NUMBERS["Alva"], STAFF), old_key=OLD, new_key=NEW, unlink_unmatched=True
    )
    bo = Pupil.objects.get(pk=pupils["Bo"].pk)
    assert re.fullmatch(r"[0-9a-f]{64}", bo.pseudonym)
    assert bo.pseudonym not in {
        hand_pseudonym(NUMBERS["Bo"], OLD),
        hand_pseudonym(NUMBERS["Bo"], NEW),
    }
    assert Enrolment.objects.filter(pupil=bo).exists()
    with override_settings(PSEUDONYM_KEY=NEW):
        again, created = actions.pupil_get_or_create(number=parse_personal_number(NUMBERS["Bo"]))
    assert created and again.pk != bo.pk


def test_a_dry_run_changes_nothing_and_counts(people) -> None:
    before = sorted(Pupil.objects.values_list("pk", "pseudonym"))
    outcome = pseudonyms_rotate(
        numbers=parsed(*NUMBERS.values()),
        old_key=OLD,
        new_key=NEW,
        unlink_unmatched=True,
        dry_run=True,
    )
    assert outcome.rekeyed == {"organisation_pupil": 3, "organisation_staffmember": 0}
    assert outcome.unmatched == {"organisation_pupil": 0, "organisation_staffmember": 1}
    assert sorted(Pupil.objects.values_list("pk", "pseudonym")) == before
    assert not AuditEvent.objects.filter(action="pseudonym_key_rotate").exists()


def test_the_rotation_is_audit_logged_with_counts_only(people, users) -> None:
    pseudonyms_rotate(
        numbers=parsed(*NUMBERS.values(), STAFF), old_key=OLD, new_key=NEW, by=users.organiser_admin
    )
    event = AuditEvent.objects.get(action="pseudonym_key_rotate")
    assert event.username == "agnes"
    assert event.detail == {
        "rekeyed": {"organisation_pupil": 3, "organisation_staffmember": 1},
        "unlinked": {"organisation_pupil": 0, "organisation_staffmember": 0},
    }
    text = repr(event.detail)
    assert not any(n in text or n[2:] in text for n in NUMBERS.values())


@pytest.mark.parametrize(("old", "new"), [(OLD, OLD), ("", NEW), (OLD, "")])
def test_the_same_key_or_a_missing_key_is_refused(people, old, new) -> None:
    with pytest.raises(ValueError):
        pseudonyms_rotate(numbers=parsed(*NUMBERS.values()), old_key=old, new_key=new)


def test_numbers_are_read_from_a_column_or_one_a_line_and_bad_lines_named_by_number(
    tmp_path,
) -> None:
    table = tmp_path / "register.csv"
    table.write_text(
        "namn;personnummer;klass\n"
        f"Alva;{NUMBERS['Alva'][:8]}-{NUMBERS['Alva'][8:]};7A\n"
        "Bo;20110701-1570;7B\n"  # wrong check digit
        "\n"
        f"Cia;{NUMBERS['Cia']};8A\n",
        encoding="utf-8",
    )
    numbers, bad = numbers_read(table)
    assert [n.canonical for n in numbers] == [NUMBERS["Alva"], NUMBERS["Cia"]]
    assert bad == [3]
    lines = tmp_path / "numbers.txt"
    lines.write_text(f"{NUMBERS['Bo']}\n{STAFF[2:]}\n")
    numbers, bad = numbers_read(lines)
    assert [n.canonical for n in numbers] == [NUMBERS["Bo"], STAFF] and bad == []
