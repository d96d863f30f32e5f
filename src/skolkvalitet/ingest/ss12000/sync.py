"""Syncing from an SS 12000 server: the write function `ss12000_sync`.

A sync reads every resource it needs first (organisations, syllabuses, persons, groups,
placements, duties, grades, reported absences, then each unit's aggregated attendance per
term), checks every field it reads as the file importers check cells (checks.py: codes,
organisationsnummer, municipality codes, personnummer, dates, enumerations; any problem
rejects the sync before it is planned), plans what that means for the database without
writing (plan.py; final grades under the file import's rule, one per pupil and subject,
final_grades.final_grades_checked), and rejects the sync with every problem found if there
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

import polars as pl
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from skolkvalitet.batches.models import BatchStatus, ImportBatch
from skolkvalitet.batches.problems import ImportOutcome, ImportRejected
from skolkvalitet.ingest.ss12000.checks import objects_checked
from skolkvalitet.ingest.ss12000.client import Collection, Ss12000Client, Ss12000Error
from skolkvalitet.ingest.ss12000.plan import UNSET, Planner
from skolkvalitet.ingest.ss12000.state import links_save, sync_states, sync_states_save
from skolkvalitet.ingest.writing.tables import ABSENCE, ENROLMENTS, GRADES
from skolkvalitet.ingest.writing.writer import BatchWriter, Replaced, indicators_refresh
from skolkvalitet.organisation.actions import academic_year_ensure
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
from skolkvalitet.results.models import Subject

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


def ss12000_sync(
    *,
    client: Ss12000Client,
    created_by: User | None = None,
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
        sync_states_save(source, fetched)
    outcome = _outcome(writer, fetched, attendance_note)
    if materialise:
        indicators_refresh(writer.batch, progress=progress)
    return outcome


# --- reading ------------------------------------------------------------------------------


def _fetch(client: Ss12000Client, source: str, *, full: bool) -> dict[str, Collection]:
    since = {} if full else sync_states(source)
    return {
        resource: client.collect(resource, modified_after=since.get(resource))
        for resource in RESOURCES
    }


def _fetch_attendance(client: Ss12000Client, planner: Planner) -> str:
    """Each unit's aggregated attendance for each calendar month of the begun terms of this
    academic year, up to today (the resource has no meta.modified, so it is read whole every
    time and compared; the month still running is stored up to today and replaced by the
    next sync's longer period with the same first day)."""
    for unit, term, first, last in planner.attendance_requests():
        params = {"organisation": unit, "startDate": first.isoformat(), "endDate": last.isoformat()}
        try:
            records = client.collect("aggregatedAttendance", params=params)
        except Ss12000Error as error:
            if error.status in {404, 501}:
                return _("The server does not offer aggregatedAttendance: absence not synced.")
            raise
        planner.plan_attendance(unit, term, records.items, (first, last))
    return ""


# --- writing ------------------------------------------------------------------------------


class _Writer:
    """Writes a checked plan through the one write path (ingest/writing/writer.py), inside the
    caller's transaction. The batch is created with the first change, so a sync that changes
    nothing leaves no batch behind."""

    def __init__(
        self, planner: Planner, *, source: str, created_by: User | None, rows: int
    ) -> None:
        self.planner = planner
        self.source = source
        self.rows = rows
        self.writer = BatchWriter(kind=KIND, source_name=source, rows=rows, created_by=created_by)
        self.counts: Counter[str] = Counter()
        self.node_ids: dict[str, int] = dict(planner.node_id)
        self.pupil_ids: dict[str, int] = dict(planner.pupil_id)
        self.staff_ids: dict[str, int] = dict(planner.staff_id)
        self._years: dict[int, tuple[AcademicYear, dict[str, Term]]] = {}

    @property
    def batch(self) -> ImportBatch | None:
        return self.writer.finish()

    def write(self) -> None:
        self._nodes()
        self._pupils()
        self._staff()
        self._enrolments()
        self._grades()
        self._absences()
        self._employments()
        self.writer.finish()
        links_save(source=self.source, wanted=self._links_wanted(), stored=self.planner.links)

    def _year(self, start: int) -> tuple[AcademicYear, dict[str, Term]]:
        if start not in self._years:
            self._years[start] = academic_year_ensure(start)
        return self._years[start]

    # nodes --------------------------------------------------------------------------------

    def _nodes(self) -> None:
        for plan in self.planner.new_nodes:
            parent_id = self.node_ids[plan.parent_key] if plan.parent_key else plan.parent_id
            parent = Node.objects.get(pk=parent_id) if parent_id else None
            fields = dict(plan.fields)
            if plan.kind == NodeKind.GROUP:
                fields["academic_year"] = self._year(fields["academic_year"])[0]
            node = self.writer.node_create(kind=plan.kind, name=plan.name, parent=parent, **fields)
            self.node_ids[plan.key] = node.pk
            self.counts[f"created_{plan.kind}"] += 1
        updates = [
            *((pk, changes, "updated_nodes") for pk, changes in self.planner.node_updates.items()),
            *(
                (pk, changes, "updated_organisers")
                for pk, changes in self.planner.organiser_updates.items()
            ),
        ]
        nodes = Node.objects.in_bulk([pk for pk, _changes, _count in updates])
        for pk, changes, count in updates:
            self.writer.node_update(nodes[pk], changes)
            self.counts[count] += 1

    # people -------------------------------------------------------------------------------

    def _pupils(self) -> None:
        plans = self.planner.pupils
        if not plans:
            return
        exts_of: dict[str, list[str]] = {}
        for ext, plan in plans.items():
            exts_of.setdefault(pseudonym_for(plan.number), []).append(ext)
        by_pseudonym = {pseudonym: exts[-1] for pseudonym, exts in exts_of.items()}
        wanted = pl.DataFrame(
            [
                (
                    pseudonym,
                    plans[ext].given_name,
                    plans[ext].family_name,
                    plans[ext].number.birth_year,
                    plans[ext].number.legal_gender,
                    plans[ext].number.is_coordination_number,
                )
                for pseudonym, ext in by_pseudonym.items()
            ],
            schema={
                "pupil": pl.String,
                "given_name": pl.String,
                "family_name": pl.String,
                "birth_year": pl.Int64,
                "legal_gender": pl.String,
                "coordination_number": pl.Boolean,
            },
            orient="row",
        )
        ids, created = self.writer.pupils_ensure(wanted)
        self.counts["created_pupils"] += created
        ids = ids.join(wanted.select("pupil", "given_name", "family_name"), on="pupil")
        for pseudonym, pupil_id, *_names in ids.iter_rows():
            for ext in exts_of[pseudonym]:
                self.pupil_ids[ext] = pupil_id
        updated = self.writer.pupils_update(ids.drop("pupil"), ["given_name", "family_name"])
        self.counts["updated_pupils"] += updated

    def _staff(self) -> None:
        stored = {
            member.pseudonym: member
            for member in StaffMember.objects.filter(
                pseudonym__in=[pseudonym_for(p.number) for p in self.planner.staff.values()]
            )
        }
        for ext, plan in self.planner.staff.items():
            names = {"given_name": plan.given_name, "family_name": plan.family_name}
            pseudonym = pseudonym_for(plan.number)
            member = stored.get(pseudonym)
            if member is None:
                member = self.writer.row_create(StaffMember, pseudonym=pseudonym, **names)
                stored[pseudonym] = member
                self.counts["created_staff"] += 1
            elif self.writer.row_update(member, names):
                self.counts["updated_staff"] += 1
            self.staff_ids[ext] = member.pk

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
        rows = []
        for plan in plans:
            pupil = self.pupil_ids.get(plan.person)
            unit = self.node_ids.get(plan.unit)
            row = stored.get((pupil, unit)) if pupil is not None and unit is not None else None
            values = self._enrolment_values(plan, row)
            if pupil is None or unit is None or values is None:
                self.counts["skipped_enrolments"] += 1
                continue
            group_id, school_form, year_group = values
            reads_sva = row.reads_sva if row else False
            special_support = row.special_support if row else False
            rows.append(
                (
                    pupil,
                    year.pk,
                    unit,
                    group_id,
                    school_form,
                    year_group,
                    reads_sva,
                    special_support,
                )
            )
        done = self.writer.rows_replace(ENROLMENTS, ENROLMENTS.frame(rows))
        self.counts["updated_enrolments"] += done.replaced
        self.counts["created_enrolments"] += done.created

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
            rows.append(
                (
                    pupil,
                    term.pk,
                    subjects[plan.subject],
                    plan.grade_type,
                    self.node_ids[plan.unit],
                    plan.year_group,
                    plan.value,
                    plan.language,
                )
            )
        self._count("grades", self.writer.rows_replace(GRADES, GRADES.frame(rows)))

    def _absences(self) -> None:
        plans = list(self.planner.absences.values())
        if not plans:
            return
        _year, terms = self._year(self.planner.year)
        rows = [
            (
                self.pupil_ids[plan.person],
                terms[plan.term].pk,
                self.node_ids[plan.unit],
                plan.starts_on,
                plan.ends_on,
                plan.year_group,
                plan.scheduled,
                plan.absent,
                plan.unexcused,
            )
            for plan in plans
            if plan.person in self.pupil_ids
        ]
        self._count("absence", self.writer.rows_replace(ABSENCE, ABSENCE.frame(rows)))

    def _count(self, name: str, done: Replaced) -> None:
        self.counts[f"{name}_written"] += done.inserted
        self.counts[f"{name}_replaced"] += done.replaced
        self.counts[f"{name}_same"] += done.same

    def _employments(self) -> None:
        plans = list(self.planner.employments.values())
        if not plans:
            return
        year, _terms = self._year(self.planner.year)
        for plan in plans:
            staff, unit = self.staff_ids.get(plan.person), self.node_ids.get(plan.unit)
            if staff is None or unit is None:
                continue
            fte = min(plan.fte, Decimal("99.99")).quantize(Decimal("0.01"))
            row = StaffEmployment.objects.filter(
                staff_id=staff, unit_id=unit, academic_year=year, role=plan.role
            ).first()
            if row is None:
                self.writer.row_create(
                    StaffEmployment,
                    staff_id=staff,
                    unit_id=unit,
                    academic_year=year,
                    role=plan.role,
                    fte=fte,
                )
                self.counts["created_employments"] += 1
            elif self.writer.row_update(row, {"fte": fte}):
                self.counts["updated_employments"] += 1

    # links --------------------------------------------------------------------------------

    def _links_wanted(self) -> dict[tuple[str, str], tuple[int | None, str]]:
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
        return wanted


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
        (counts["created_organiser"], _("organisers")),
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
            "Absence: %(new)d period rows written, %(replaced)d of them replacing stored ones; "
            "%(same)d already stored as they are."
        )
        % values
    )
