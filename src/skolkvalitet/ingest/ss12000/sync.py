"""Syncing from an SS 12000 server: the write function `ss12000_sync`.

A sync reads every resource it needs first (organisations, syllabuses, persons, groups,
placements, duties, grades, reported absences, then each unit's aggregated attendance per
term), checks every field it reads as the file importers check cells (checks.py: codes,
organisationsnummer, municipality codes, personnummer, dates, enumerations; any problem
rejects the sync before it is planned), plans what that means for the database without
writing (plan.py; final grades under the file import's rule, one per pupil and subject,
validation.final_grades_checked), and rejects the sync with every problem found if there
are any. Only then does it write, in one transaction, as one ImportBatch (kind "ss12000"):
nodes, pupils, enrolments, staff, grades and absence.
A row identical to what is stored is not written again, so a sync that finds no change
writes nothing and records no batch; a changed grade or absence replaces the stored one
(kept in the batch's journal, so `import_rollback` can undo the sync). After the commit the
indicators of the periods the sync touched are recomputed.

Incremental: the server's time at the start of each resource's last successful read is kept
in Ss12000SyncState; the next sync asks only for objects modified after it
(meta.modified.after), unless `full`. The server's ids are kept in Ss12000Link so that a
changed grade finds its pupil, unit and subject without the unchanged objects being read
again. A personnummer is used only to derive the pseudonym; it is never stored or logged.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from skolkvalitet.batches.models import BatchStatus, ImportBatch, ImportJournal, JournalAction
from skolkvalitet.batches.problems import ImportOutcome, ImportRejected
from skolkvalitet.indicators.materialise import indicators_materialise, periods_touched
from skolkvalitet.ingest.models import Ss12000Link, Ss12000SyncState
from skolkvalitet.ingest.ss12000.checks import objects_checked
from skolkvalitet.ingest.ss12000.client import Collection, Ss12000Client, Ss12000Error
from skolkvalitet.ingest.ss12000.plan import UNSET, Planner
from skolkvalitet.organisation.actions import academic_year_ensure, node_create, pupil_get_or_create
from skolkvalitet.organisation.identity import pseudonym_for
from skolkvalitet.organisation.models import (
    AcademicYear,
    Enrolment,
    Node,
    NodeKind,
    StaffEmployment,
    StaffMember,
    Term,
)
from skolkvalitet.results.models import Absence, Grade, Subject

logger = logging.getLogger(__name__)

KIND = "ss12000"
# The collections read, in this order; each supports meta.modified.after.
RESOURCES = (
    "organisations",
    "syllabuses",
    "persons",
    "groups",
    "placements",
    "duties",
    "grades",
    "absences",
)
ENROLMENT_COLUMNS = (
    "id",
    "pupil_id",
    "academic_year_id",
    "unit_id",
    "group_id",
    "school_form",
    "year_group",
    "reads_sva",
    "special_support",
)
GRADE_COLUMNS = (
    "id",
    "pupil_id",
    "term_id",
    "subject_id",
    "grade_type",
    "unit_id",
    "year_group",
    "value",
    "language",
    "batch_id",
)
ABSENCE_COLUMNS = (
    "id",
    "pupil_id",
    "term_id",
    "unit_id",
    "year_group",
    "scheduled_minutes",
    "absent_minutes",
    "unexcused_minutes",
    "batch_id",
)


def ss12000_sync(
    *,
    client: Ss12000Client,
    created_by=None,
    full: bool = False,
    today: dt.date | None = None,
    materialise: bool = True,
    progress=None,
) -> ImportOutcome:
    """Sync from the server `client` reads. `progress(label, done, total)` follows the
    indicator computation after the write. Raises Ss12000Error when the server fails and
    ImportRejected when its data has problems; in both cases nothing is written."""
    today = today or timezone.localdate()
    source = client.base_url
    fetched = _fetch(client, source, full=full)
    problems = objects_checked(fetched)
    if problems:
        raise ImportRejected(problems)
    planner = Planner(source=source, fetched=fetched, today=today)
    planner.plan_organisations()
    planner.plan_syllabuses()
    planner.plan_persons()
    planner.plan_enrolments()
    planner.plan_groups()
    planner.finish_groups()
    planner.plan_grades()
    planner.check_final_grades()
    attendance_note = _fetch_attendance(client, planner)
    planner.plan_duties()
    if planner.problems:
        raise ImportRejected(planner.problems)
    rows = sum(len(c.items) for c in fetched.values())
    writer = _Writer(planner, source=source, created_by=created_by, rows=rows)
    with transaction.atomic():
        writer.write()
        _states_save(source, fetched)
    outcome = _outcome(writer, fetched, attendance_note)
    if materialise and writer.batch is not None:
        years, points = periods_touched(batch=writer.batch)
        years |= writer.enrolment_years
        if years or points:
            indicators_materialise(years=years, points=points, progress=progress)
    return outcome


# --- reading ------------------------------------------------------------------------------


def _fetch(client: Ss12000Client, source: str, *, full: bool) -> dict[str, Collection]:
    since = {} if full else _states(source)
    return {
        resource: client.collect(resource, modified_after=since.get(resource))
        for resource in RESOURCES
    }


def _fetch_attendance(client: Ss12000Client, planner: Planner) -> str:
    """Each unit's aggregated attendance for each begun term of this academic year (the
    resource has no meta.modified, so it is read whole every time and compared)."""
    for unit, term, first, last in planner.attendance_requests():
        params = {"organisation": unit, "startDate": first.isoformat(), "endDate": last.isoformat()}
        try:
            records = client.collect("aggregatedAttendance", params=params)
        except Ss12000Error as error:
            if error.status in {404, 501}:
                return _("The server does not offer aggregatedAttendance: absence not synced.")
            raise
        planner.plan_attendance(unit, term, records.items)
    return ""


def _states(source: str) -> dict[str, dt.datetime]:
    return dict(Ss12000SyncState.objects.filter(source=source).values_list("resource", "synced_at"))


def _states_save(source: str, fetched: dict[str, Collection]) -> None:
    for resource, collection in fetched.items():
        Ss12000SyncState.objects.update_or_create(
            source=source, resource=resource, defaults={"synced_at": collection.server_time}
        )


# --- writing ------------------------------------------------------------------------------


class _Writer:
    """Writes a checked plan (inside the caller's transaction). The batch is created with
    the first change, so a sync that changes nothing leaves no batch behind."""

    def __init__(self, planner: Planner, *, source: str, created_by, rows: int) -> None:
        self.planner = planner
        self.source = source
        self.created_by = created_by
        self.rows = rows
        self.batch: ImportBatch | None = None
        self.counts: Counter[str] = Counter()
        self.node_ids: dict[str, int] = dict(planner.node_id)
        self.pupil_ids: dict[str, int] = dict(planner.pupil_id)
        self.staff_ids: dict[str, int] = dict(planner.staff_id)
        self.enrolment_years: set[int] = set()
        self._years: dict[int, tuple[AcademicYear, dict[str, Term]]] = {}
        self._journal: list[tuple[str, str, tuple[str, ...], list[list[Any]]]] = []

    def write(self) -> None:
        self._nodes()
        self._pupils()
        self._staff()
        self._enrolments()
        self._grades()
        self._absences()
        self._employments()
        self._links()
        if self._journal:
            self._journal_flush()

    def _batch(self) -> ImportBatch:
        if self.batch is None:
            self.batch = ImportBatch.objects.create(
                kind=KIND, source_name=self.source[:255], rows=self.rows, created_by=self.created_by
            )
        return self.batch

    def _year(self, start: int) -> tuple[AcademicYear, dict[str, Term]]:
        if start not in self._years:
            self._years[start] = academic_year_ensure(start)
        return self._years[start]

    def _journal_add(
        self, table: str, action: str, columns: tuple[str, ...], rows: list[list[Any]]
    ) -> None:
        if rows:
            self._batch()
            self._journal.append((table, action, columns, rows))

    def _journal_flush(self) -> None:
        ImportJournal.objects.bulk_create(
            ImportJournal(
                batch=self._batch(),
                table=table,
                action=action,
                columns=list(columns),
                rows=[[_json(v) for v in row] for row in rows],
            )
            for table, action, columns, rows in self._journal
        )

    # nodes --------------------------------------------------------------------------------

    def _nodes(self) -> None:
        created: list[list[int]] = []
        for plan in self.planner.new_nodes:
            parent_id = self.node_ids[plan.parent_key] if plan.parent_key else plan.parent_id
            parent = Node.objects.get(pk=parent_id) if parent_id else None
            fields = dict(plan.fields)
            if plan.kind == NodeKind.GROUP:
                fields["academic_year"] = self._year(fields["academic_year"])[0]
            node = node_create(kind=plan.kind, name=plan.name, parent=parent, **fields)
            self.node_ids[plan.key] = node.pk
            created.append([node.pk])
            self.counts[f"created_{plan.kind}"] += 1
        self._journal_add("organisation_node", JournalAction.CREATED, ("id",), created)
        for pk, changes in self.planner.node_updates.items():
            self._batch()
            Node.objects.filter(pk=pk).update(**changes)
            self.counts["updated_nodes"] += 1
        for pk, changes in self.planner.organiser_updates.items():
            self._batch()
            Node.objects.filter(pk=pk).update(**changes)
            self.counts["updated_organisers"] += 1

    # people -------------------------------------------------------------------------------

    def _pupils(self) -> None:
        created, before = [], []
        for ext, plan in self.planner.pupils.items():
            pupil, is_new = pupil_get_or_create(
                number=plan.number, given_name=plan.given_name, family_name=plan.family_name
            )
            self.pupil_ids[ext] = pupil.pk
            if is_new:
                created.append([pupil.pk])
                self.counts["created_pupils"] += 1
            elif (pupil.given_name, pupil.family_name) != (plan.given_name, plan.family_name):
                before.append([pupil.pk, pupil.given_name, pupil.family_name])
                pupil.given_name, pupil.family_name = plan.given_name, plan.family_name
                pupil.save(update_fields=["given_name", "family_name"])
                self.counts["updated_pupils"] += 1
        self._journal_add("organisation_pupil", JournalAction.CREATED, ("id",), created)
        self._journal_add(
            "organisation_pupil",
            JournalAction.UPDATED,
            ("id", "given_name", "family_name"),
            before,
        )

    def _staff(self) -> None:
        created = []
        for ext, plan in self.planner.staff.items():
            names = {"given_name": plan.given_name, "family_name": plan.family_name}
            member, is_new = StaffMember.objects.get_or_create(
                pseudonym=pseudonym_for(plan.number), defaults=names
            )
            self.staff_ids[ext] = member.pk
            if is_new:
                created.append([member.pk])
                self.counts["created_staff"] += 1
            elif (member.given_name, member.family_name) != (plan.given_name, plan.family_name):
                self._batch()
                StaffMember.objects.filter(pk=member.pk).update(**names)
                self.counts["updated_staff"] += 1
        self._journal_add("organisation_staffmember", JournalAction.CREATED, ("id",), created)

    def _enrolments(self) -> None:
        plans = self.planner.enrolments.values()
        if not plans:
            return
        year, _terms = self._year(self.planner.year)
        pupils = [self.pupil_ids[p.person] for p in plans if p.person in self.pupil_ids]
        stored = {
            (row.pupil_id, row.unit_id): row
            for row in Enrolment.objects.filter(academic_year=year, pupil_id__in=pupils)
        }
        replaced, created = [], []
        for plan in plans:
            pupil = self.pupil_ids.get(plan.person)
            unit = self.node_ids.get(plan.unit)
            row = stored.get((pupil, unit))
            values = self._enrolment_values(plan, row)
            if pupil is None or unit is None or values is None:
                self.counts["skipped_enrolments"] += 1
                continue
            if row is not None and (row.group_id, row.school_form, row.year_group) == values:
                continue
            if row is not None:
                replaced.append([getattr(row, c) for c in ENROLMENT_COLUMNS])
                row.delete()
            group_id, school_form, year_group = values
            enrolment = Enrolment.objects.create(
                pupil_id=pupil,
                academic_year=year,
                unit_id=unit,
                group_id=group_id,
                school_form=school_form,
                year_group=year_group,
                reads_sva=row.reads_sva if row else False,
                special_support=row.special_support if row else False,
            )
            created.append([enrolment.pk, year.pk])
            self.counts["updated_enrolments" if row else "created_enrolments"] += 1
        if created:
            self.enrolment_years.add(year.pk)
        self._journal_add(
            "organisation_enrolment", JournalAction.SUPERSEDED, ENROLMENT_COLUMNS, replaced
        )
        self._journal_add(
            "organisation_enrolment", JournalAction.CREATED, ("id", "academic_year_id"), created
        )

    def _enrolment_values(self, plan, row: Enrolment | None) -> tuple | None:
        """(group, school form, year group): the plan's, completed from the stored row."""
        if plan.group is UNSET:
            group_id = row.group_id if row else None
        else:
            group_id = self.node_ids.get(plan.group) if plan.group else None
        if plan.school_form is not None:
            return group_id, plan.school_form, plan.year_group
        if row is None:
            return None
        return group_id, row.school_form, row.year_group

    # facts --------------------------------------------------------------------------------

    def _grades(self) -> None:
        plans = list(self.planner.grades.values())
        if not plans:
            return
        subjects = dict(Subject.objects.values_list("code", "pk"))
        rows = []
        for plan in plans:
            pupil = self.pupil_ids.get(plan.person)
            if pupil is None:
                continue
            term = self._year(plan.year)[1][plan.term]
            key = (pupil, term.pk, subjects[plan.subject], plan.grade_type)
            values = (self.node_ids[plan.unit], plan.year_group, plan.value, plan.language)
            rows.append((key, values))
        stored = {
            (g.pupil_id, g.term_id, g.subject_id, g.grade_type): g
            for g in Grade.objects.filter(
                pupil_id__in={k[0] for k, _v in rows}, term_id__in={k[1] for k, _v in rows}
            )
        }
        fresh, replaced = [], []
        for key, values in rows:
            row = stored.get(key)
            if row is not None and (row.unit_id, row.year_group, row.value, row.language) == values:
                self.counts["grades_same"] += 1
                continue
            if row is not None:
                replaced.append(row)
            pupil, term, subject, grade_type = key
            unit, year_group, value, language = values
            fresh.append(
                Grade(
                    pupil_id=pupil,
                    term_id=term,
                    subject_id=subject,
                    grade_type=grade_type,
                    unit_id=unit,
                    year_group=year_group,
                    value=value,
                    language=language,
                    batch=self._batch(),
                )
            )
        self._replace(Grade, GRADE_COLUMNS, replaced, fresh, "grades")

    def _absences(self) -> None:
        plans = list(self.planner.absences.values())
        if not plans:
            return
        _year, terms = self._year(self.planner.year)
        rows = []
        for plan in plans:
            pupil = self.pupil_ids.get(plan.person)
            if pupil is None:
                continue
            key = (pupil, terms[plan.term].pk, self.node_ids[plan.unit])
            rows.append((key, (plan.year_group, plan.scheduled, plan.absent, plan.unexcused)))
        stored = {
            (a.pupil_id, a.term_id, a.unit_id): a
            for a in Absence.objects.filter(
                pupil_id__in={k[0] for k, _v in rows}, term_id__in={k[1] for k, _v in rows}
            )
        }
        fresh, replaced = [], []
        for key, values in rows:
            row = stored.get(key)
            current = (
                (row.year_group, row.scheduled_minutes, row.absent_minutes, row.unexcused_minutes)
                if row
                else None
            )
            if current == values:
                self.counts["absence_same"] += 1
                continue
            if row is not None:
                replaced.append(row)
            pupil, term, unit = key
            year_group, scheduled, absent, unexcused = values
            fresh.append(
                Absence(
                    pupil_id=pupil,
                    term_id=term,
                    unit_id=unit,
                    year_group=year_group,
                    scheduled_minutes=scheduled,
                    absent_minutes=absent,
                    unexcused_minutes=unexcused,
                    batch=self._batch(),
                )
            )
        self._replace(Absence, ABSENCE_COLUMNS, replaced, fresh, "absence")

    def _replace(self, model, columns, replaced: list, fresh: list, name: str) -> None:
        """Delete the stored rows `fresh` replaces (journaled) and insert `fresh`."""
        if replaced:
            self._journal_add(
                model._meta.db_table,
                JournalAction.SUPERSEDED,
                columns,
                [[getattr(row, c) for c in columns] for row in replaced],
            )
            model.objects.filter(pk__in=[row.pk for row in replaced]).delete()
        model.objects.bulk_create(fresh, batch_size=2000)
        self.counts[f"{name}_written"] += len(fresh)
        self.counts[f"{name}_replaced"] += len(replaced)

    def _employments(self) -> None:
        plans = list(self.planner.employments.values())
        if not plans:
            return
        year, _terms = self._year(self.planner.year)
        created = []
        for plan in plans:
            staff, unit = self.staff_ids.get(plan.person), self.node_ids.get(plan.unit)
            if staff is None or unit is None:
                continue
            fte = min(plan.fte, Decimal("99.99")).quantize(Decimal("0.01"))
            row = StaffEmployment.objects.filter(
                staff_id=staff, unit_id=unit, academic_year=year, role=plan.role
            ).first()
            if row is not None and row.fte == fte:
                continue
            self._batch()
            if row is None:
                employment = StaffEmployment.objects.create(
                    staff_id=staff, unit_id=unit, academic_year=year, role=plan.role, fte=fte
                )
                created.append([employment.pk])
                self.counts["created_employments"] += 1
            else:
                StaffEmployment.objects.filter(pk=row.pk).update(fte=fte)
                self.counts["updated_employments"] += 1
        self._journal_add("organisation_staffemployment", JournalAction.CREATED, ("id",), created)

    # links --------------------------------------------------------------------------------

    def _links(self) -> None:
        wanted: dict[tuple[str, str], tuple[int | None, str]] = {}
        for key, pk in self.node_ids.items():
            resource = "groups" if "/" in key else "organisations"
            wanted[(resource, key)] = (pk, "")
        for ext, pk in self.pupil_ids.items():
            wanted[("pupils", ext)] = (pk, "")
        for ext, pk in self.staff_ids.items():
            wanted[("staff", ext)] = (pk, "")
        for ext, value in self.planner.syllabuses.items():
            wanted[("syllabuses", ext)] = (None, value)
        stored = self.planner.links
        new, changed = [], []
        for (resource, ext), (local_id, value) in wanted.items():
            link = stored.get((resource, ext))
            if link is None:
                new.append(Ss12000Link(source=self.source, resource=resource, external_id=ext))
                link = new[-1]
            elif (link.local_id, link.value) != (local_id, value):
                changed.append(link)
            link.local_id, link.value = local_id, value
        Ss12000Link.objects.bulk_create(new, batch_size=2000)
        Ss12000Link.objects.bulk_update(changed, ["local_id", "value"], batch_size=2000)


def _json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


# --- the outcome --------------------------------------------------------------------------

SKIPPED = {
    "organisations_other": gettext_noop(
        "Organisation elements that are neither Huvudman nor Skolenhet (not kept): %(count)d."
    ),
    "units_without_code": gettext_noop(
        "School units without a skolenhetskod (not kept): %(count)d."
    ),
    "persons_other": gettext_noop(
        "Persons who are neither pupils nor staff (not kept): %(count)d."
    ),
    "persons_without_number": gettext_noop(
        "Pupils and staff without a valid personnummer, such as a temporary number (not kept, "
        "nor their grades and absence): %(count)d."
    ),
    "enrolments_other_units": gettext_noop("Enrolments at units that were not synced: %(count)d."),
    "enrolments_other_school_forms": gettext_noop(
        "Enrolments in school forms Skolkvalitet does not follow: %(count)d."
    ),
    "placements_not_preschool": gettext_noop("Placements in fritidshem (not kept): %(count)d."),
    "placements_other": gettext_noop("Preschool placements of other years or units: %(count)d."),
    "groups_other": gettext_noop(
        "Groups of other types (mentor, schedule, staff, ...) or units: %(count)d."
    ),
    "groups_ended": gettext_noop("Groups that ended before this academic year: %(count)d."),
    "grades_unknown_pupils": gettext_noop("Grades of persons not synced as pupils: %(count)d."),
    "grades_other_units": gettext_noop("Grades set at units that were not synced: %(count)d."),
    "grades_other_subjects": gettext_noop(
        "Grades in subjects or courses Skolkvalitet does not follow: %(count)d."
    ),
    "grades_without_year_group": gettext_noop(
        "Grades whose year group is unknown (the pupil has no enrolment to tell it): %(count)d."
    ),
    "attendance_unknown_pupils": gettext_noop(
        "Attendance of persons not synced as pupils: %(count)d."
    ),
    "absence_without_year_group": gettext_noop(
        "Absence of pupils without a known year group: %(count)d."
    ),
    "duties_unknown_persons": gettext_noop(
        "Duties of persons without a valid personnummer: %(count)d."
    ),
    "duties_other": gettext_noop(
        "Duties at units that were not synced or outside this year: %(count)d."
    ),
    "duties_without_percent": gettext_noop(
        "Duties without a duty percentage (not kept): %(count)d."
    ),
    "skipped_enrolments": gettext_noop(
        "Group memberships of pupils without an enrolment at the unit: %(count)d."
    ),
}


def _outcome(
    writer: _Writer, fetched: dict[str, Collection], attendance_note: str
) -> ImportOutcome:
    counts, planner = writer.counts, writer.planner
    read = ", ".join(f"{r} {len(c.items)}" for r, c in fetched.items())
    notes = [_("Read from the server: %(read)s.") % {"read": read}]
    if writer.batch is None:
        notes.append(_("Nothing has changed since the last sync."))
    created = _created_note(counts)
    if created:
        notes.append(created)
    for key in ("grades", "absence"):
        if counts[f"{key}_written"] or counts[f"{key}_same"]:
            notes.append(_facts_note(key, counts))
    for key, count in sorted((planner.skipped + _only(counts, "skipped_enrolments")).items()):
        notes.append(_(SKIPPED[key]) % {"count": count})
    reported = len(fetched["absences"].items)
    if reported:
        notes.append(
            ngettext(
                "%(count)d reported absence (anmäld frånvaro) read: notices, not minutes of "
                "teaching, so not stored.",
                "%(count)d reported absences (anmäld frånvaro) read: notices, not minutes of "
                "teaching, so not stored.",
                reported,
            )
            % {"count": reported}
        )
    if attendance_note:
        notes.append(attendance_note)
    notes.extend(planner.warnings)
    batch = writer.batch
    if batch is None:
        batch = (
            ImportBatch.objects.filter(
                kind=KIND, source_name=writer.source[:255], status=BatchStatus.APPLIED
            )
            .order_by("-created_at", "-pk")
            .first()
        )
    return ImportOutcome(batch=batch, rows=writer.rows, unchanged=writer.batch is None, notes=notes)


def _only(counts: Counter[str], key: str) -> Counter[str]:
    return Counter({key: counts[key]}) if counts[key] else Counter()


def _created_note(counts: Counter[str]) -> str:
    parts = [
        (counts["created_organizer"], _("organisers")),
        (counts["created_unit"], _("school units")),
        (counts["created_group"], _("groups")),
        (counts["created_pupils"], _("pupils")),
        (counts["created_enrolments"], _("enrolments")),
        (counts["created_staff"], _("staff members")),
        (counts["created_employments"], _("employments")),
    ]
    updated = [
        (counts["updated_organisers"], _("organisers")),
        (counts["updated_nodes"], _("units and groups")),
        (counts["updated_pupils"], _("pupils")),
        (counts["updated_enrolments"], _("enrolments")),
        (counts["updated_staff"], _("staff members")),
        (counts["updated_employments"], _("employments")),
    ]
    lines = []
    made = ", ".join(f"{label} {n}" for n, label in parts if n)
    if made:
        lines.append(_("Created: %(what)s.") % {"what": made})
    changed = ", ".join(f"{label} {n}" for n, label in updated if n)
    if changed:
        lines.append(_("Updated: %(what)s.") % {"what": changed})
    return " ".join(lines)


def _facts_note(key: str, counts: Counter[str]) -> str:
    values = {
        "new": counts[f"{key}_written"],
        "replaced": counts[f"{key}_replaced"],
        "same": counts[f"{key}_same"],
    }
    if key == "grades":
        return (
            _(
                "Grades: %(new)d written, %(replaced)d of them replacing stored ones; "
                "%(same)d already stored as they are."
            )
            % values
        )
    return (
        _(
            "Absence: %(new)d term rows written, %(replaced)d of them replacing stored ones; "
            "%(same)d already stored as they are."
        )
        % values
    )
