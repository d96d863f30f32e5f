"""Planning a sync: what the objects read from an SS 12000 server mean for the database.

The Planner reads the database (links from earlier syncs, nodes, pupils, enrolments) but
writes nothing; it collects every problem (ImportProblem, which rejects the sync) and counts
what it leaves out, so that sync.py can check first and then write in one transaction.
Everything is keyed by the server's ids; local ids are known for what exists already.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeGuard

import polars as pl
from django.utils.translation import gettext as _

from skolkvalitet.batches.problems import ImportProblem
from skolkvalitet.ingest.files.final_grades import (
    MAX_WARNINGS_LISTED,
    final_grades_checked,
    stored_final_grade_messages,
    swedish_twice_message_stored,
    swedish_twice_more_message,
)
from skolkvalitet.ingest.models import Ss12000Link
from skolkvalitet.ingest.ss12000 import checks, mapping
from skolkvalitet.ingest.ss12000.client import Collection
from skolkvalitet.organisation.calendar import default_term_dates
from skolkvalitet.organisation.identity import (
    InvalidPersonalNumber,
    PersonalNumber,
    parse_personal_number,
    pseudonym_for,
)
from skolkvalitet.organisation.models import (
    AcademicYear,
    Enrolment,
    Node,
    NodeKind,
    Pupil,
    StaffMember,
    Term,
)
from skolkvalitet.results.absence import month_periods
from skolkvalitet.results.models import Subject

UNSET: Any = object()  # an enrolment's group that this sync does not know: keep the stored one


@dataclass
class NodePlan:
    key: str  # the server's id (groups: "id/start year")
    kind: str
    name: str
    parent_key: str | None = None
    parent_id: int | None = None
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class PersonPlan:
    key: str
    number: PersonalNumber
    given_name: str
    family_name: str


@dataclass
class EnrolmentPlan:
    person: str
    unit: str
    school_form: str | None
    year_group: int | None
    group: Any = UNSET  # a group key, None (in no group) or UNSET


@dataclass
class GradePlan:
    person: str
    unit: str
    year: int
    term: str
    subject: str
    grade_type: str
    year_group: int
    value: str
    language: str
    order: tuple[str, str] = ("", "")  # registration date, modified: the latest wins
    item: str = ""  # the server's id of the grade


@dataclass
class AbsencePlan:
    person: str
    unit: str
    term: str
    starts_on: dt.date  # the period read: a calendar month of the term, up to today
    ends_on: dt.date
    year_group: int
    scheduled: int
    absent: int
    unexcused: int


@dataclass
class EmploymentPlan:
    person: str
    unit: str
    role: str
    fte: Decimal


def term_dates(start_year: int) -> dict[str, tuple[dt.date, dt.date]]:
    """The dates of an academic year's terms as stored, or the defaults that
    organisation.actions.academic_year_ensure would give them (without creating them)."""
    dates = default_term_dates(start_year)
    stored = Term.objects.filter(academic_year__code=AcademicYear.code_for(start_year))
    for term in stored:
        dates[term.kind] = (term.start_date, term.end_date)
    return dates


class Planner:
    def __init__(self, *, source: str, fetched: dict[str, Collection], today: dt.date) -> None:
        self.source = source
        self.fetched = fetched
        self.today = today
        self.year = mapping.academic_start_year(today)
        terms = term_dates(self.year)
        self.terms = terms
        self.year_first, self.year_last = terms["HT"][0], terms["VT"][1]
        self.problems: list[ImportProblem] = []
        self.skipped: Counter[str] = Counter()
        self.warnings: list[str] = []  # accepted, but the user should know (SV and SVA)
        self.links = self._load_links()
        # nodes: the server's id → existing node id; new nodes in creation order
        self.node_id: dict[str, int] = {}
        self.new_nodes: list[NodePlan] = []
        self.node_updates: dict[int, dict[str, Any]] = {}
        self.organiser_updates: dict[int, dict[str, Any]] = {}
        self.units: set[str] = set()
        self.syllabuses: dict[str, str] = {}  # id → "SUBJECT|LANGUAGE" ("" not followed)
        self.pupils: dict[str, PersonPlan] = {}
        self.pupil_id: dict[str, int] = {}
        self.staff: dict[str, PersonPlan] = {}
        self.staff_id: dict[str, int] = {}
        self.enrolments: dict[tuple[str, str], EnrolmentPlan] = {}
        self.stored_enrolments: dict[tuple[int, int, int], Enrolment] = {}
        self.grades: dict[tuple, GradePlan] = {}
        self.absences: dict[tuple, AbsencePlan] = {}
        self.employments: dict[tuple[str, str, str], EmploymentPlan] = {}

    # --- helpers -------------------------------------------------------------------------

    def items(self, resource: str) -> list[dict[str, Any]]:
        collection = self.fetched.get(resource)
        return collection.items if collection else []

    def problem(self, resource: str, item: dict[str, Any], message: str) -> None:
        self.problems.append(
            ImportProblem(f"{resource}/{item.get('id', '?')}", None, None, message)
        )

    def _load_links(self) -> dict[tuple[str, str], Ss12000Link]:
        return {
            (link.resource, link.external_id): link
            for link in Ss12000Link.objects.filter(source=self.source)
        }

    def _linked_ids(self, resource: str, model) -> dict[str, int]:
        """The server ids linked to rows of `model` that still exist."""
        linked = {
            ext: link.local_id
            for (res, ext), link in self.links.items()
            if res == resource and link.local_id is not None
        }
        existing = set(model.objects.filter(pk__in=linked.values()).values_list("pk", flat=True))
        return {ext: pk for ext, pk in linked.items() if pk in existing}

    def is_pupil(self, person: str | None) -> TypeGuard[str]:
        return person is not None and (person in self.pupils or person in self.pupil_id)

    # --- organisations -------------------------------------------------------------------

    def plan_organisations(self) -> None:
        organisations = {o["id"]: o for o in self.items("organisations")}
        linked = self._linked_ids("organisations", Node)
        kinds = dict(Node.objects.filter(pk__in=linked.values()).values_list("pk", "kind"))
        self.node_id.update(linked)
        self.units.update(ext for ext, pk in linked.items() if kinds.get(pk) == NodeKind.UNIT)
        self._organisers = {ext for ext, pk in linked.items() if kinds[pk] == NodeKind.ORGANISER}
        for item in organisations.values():
            if item["organisationType"] == "Huvudman":
                self._plan_organiser(item)
        for item in organisations.values():
            if item["organisationType"] == "Skolenhet":
                self._plan_unit(item, organisations)
            elif item["organisationType"] != "Huvudman":
                self.skipped["organisations_other"] += 1

    def _plan_organiser(self, item: dict[str, Any]) -> None:
        """An organiser (checks.py has validated its organisationNumber and
        municipalityCode). Its type comes from its organisationsnummer, where that tells it
        (mapping.organiser_type); an existing organiser without a type is given it."""
        self._organisers.add(item["id"])
        number = re.sub(r"\D", "", str(item.get("organisationNumber") or ""))
        kind = mapping.organiser_type(number)
        if item["id"] in self.node_id:
            self._organiser_type_fill(self.node_id[item["id"]], kind)
            return
        code = number or str(item.get("municipalityCode") or "")
        existing = Node.objects.filter(kind=NodeKind.ORGANISER, code=code).first() if code else None
        if existing is not None:
            self.node_id[item["id"]] = existing.pk
            self._organiser_type_fill(existing.pk, kind)
            return
        self.new_nodes.append(
            NodePlan(
                item["id"],
                NodeKind.ORGANISER,
                item["displayName"][:200],
                fields={
                    "code": code[:32],
                    "municipality_code": str(item.get("municipalityCode") or "")[:4],
                    "organiser_type": kind,
                },
            )
        )

    def _organiser_type_fill(self, pk: int, kind: str) -> None:
        if kind and Node.objects.filter(pk=pk, organiser_type="").exists():
            self.organiser_updates[pk] = {"organiser_type": kind}

    def _plan_unit(self, item: dict[str, Any], organisations: dict[str, dict]) -> None:
        code = str(item.get("schoolUnitCode") or "").strip()
        if not code:
            self.skipped["units_without_code"] += 1
            return
        forms = sorted({f for f in map(mapping.school_form, item.get("schoolTypes") or []) if f})
        node = None
        if item["id"] in self.node_id:
            node = Node.objects.get(pk=self.node_id[item["id"]])
        else:
            node = Node.objects.filter(kind=NodeKind.UNIT, code=code).first()
        self.units.add(item["id"])
        if node is not None:
            self.node_id[item["id"]] = node.pk
            changes = {}
            if node.name != item["displayName"][:200]:
                changes["name"] = item["displayName"][:200]
            if forms and sorted(node.school_forms or []) != forms:
                changes["school_forms"] = forms
            if changes:
                self.node_updates[node.pk] = changes
            return
        parent_key, parent_id = self._organiser_above(item, organisations)
        if parent_key is None and parent_id is None:
            self.problem(
                "organisations",
                item,
                _(
                    "The school unit %(name)s (%(code)s) belongs to no Huvudman that the "
                    "server lists, and Skolkvalitet cannot tell which organiser it belongs to."
                )
                % {"name": item["displayName"], "code": code},
            )
            return
        self.new_nodes.append(
            NodePlan(
                item["id"],
                NodeKind.UNIT,
                item["displayName"][:200],
                parent_key=parent_key,
                parent_id=parent_id,
                fields={
                    "code": code[:32],
                    "municipality_code": str(item.get("municipalityCode") or "")[:4],
                    "school_forms": forms,
                    "year_groups": [],
                },
            )
        )

    def _organiser_above(
        self, item: dict[str, Any], organisations: dict[str, dict]
    ) -> tuple[str | None, int | None]:
        """The organiser a new unit goes under: the Huvudman up its parentOrganisation chain,
        else the only one the server lists, else the only organiser in the database."""
        seen: set[str] = set()
        current = item
        while (parent := mapping.reference_id(current.get("parentOrganisation"))) is not None:
            if parent in seen:
                break
            seen.add(parent)
            if parent in self._organisers:
                return parent, None
            if parent not in organisations:
                break
            current = organisations[parent]
        listed = [o for o in organisations.values() if o["organisationType"] == "Huvudman"]
        if len(listed) == 1:
            return listed[0]["id"], None
        if len(self._organisers) == 1:
            return next(iter(self._organisers)), None
        organisers = list(Node.objects.filter(kind=NodeKind.ORGANISER).values_list("pk", flat=True))
        if len(organisers) == 1:
            return None, organisers[0]
        return None, None

    # --- syllabuses ----------------------------------------------------------------------

    def plan_syllabuses(self) -> None:
        known = set(Subject.objects.values_list("code", flat=True))
        for (resource, ext), link in self.links.items():
            if resource == "syllabuses":
                self.syllabuses[ext] = link.value
        for item in self.items("syllabuses"):
            subject = mapping.subject_of(item, known)
            self.syllabuses[item["id"]] = "|".join(subject) if subject else ""

    # --- persons -------------------------------------------------------------------------

    def plan_persons(self) -> None:
        self.pupil_id = self._linked_ids("pupils", Pupil)
        self.staff_id = self._linked_ids("staff", StaffMember)
        children = {mapping.reference_id(p.get("child")) for p in self.items("placements")}
        on_duty = {mapping.reference_id(d.get("person")) for d in self.items("duties")}
        for item in self.items("persons"):
            ext = item["id"]
            enrolled = any(not e.get("cancelled") for e in item.get("enrolments") or [])
            pupil = enrolled or ext in children or ext in self.pupil_id
            staff = ext in on_duty or ext in self.staff_id
            if not (pupil or staff):
                self.skipped["persons_other"] += 1
                continue
            number = _personal_number(item)
            if number is None:
                self.skipped["persons_without_number"] += 1
                continue
            plan = PersonPlan(
                ext, number, str(item["givenName"])[:100], str(item["familyName"])[:100]
            )
            if pupil:
                self.pupils[ext] = plan
            if staff:
                self.staff[ext] = plan
        self._adopt_pupils()

    def _adopt_pupils(self) -> None:
        """Pupils already known by their pseudonym (from file imports) are linked, not new."""
        wanted = {pseudonym_for(p.number): ext for ext, p in self.pupils.items()}
        for pk, pseudonym in Pupil.objects.filter(pseudonym__in=wanted).values_list(
            "pk", "pseudonym"
        ):
            self.pupil_id.setdefault(wanted[pseudonym], pk)

    # --- enrolments and groups -----------------------------------------------------------

    def plan_enrolments(self) -> None:
        self._load_stored_enrolments()
        for item in self.items("persons"):
            if item["id"] not in self.pupils:
                continue
            for enrolment in item.get("enrolments") or []:
                self._plan_enrolment(item["id"], enrolment)
        for placement in self.items("placements"):
            self._plan_placement(placement)

    def _active(self, item: dict[str, Any]) -> bool:
        start, end = mapping.date(item.get("startDate")), mapping.date(item.get("endDate"))
        return mapping.overlaps(start, end, self.year_first, self.year_last)

    def _plan_enrolment(self, person: str, enrolment: dict[str, Any]) -> None:
        if enrolment.get("cancelled") or not self._active(enrolment):
            return
        unit = mapping.reference_id(enrolment.get("enroledAt"))
        if unit not in self.units:
            self.skipped["enrolments_other_units"] += 1
            return
        form = mapping.school_form(enrolment.get("schoolType"))
        if form is None:
            self.skipped["enrolments_other_school_forms"] += 1
            return
        year_group = enrolment.get("schoolYear")
        year_group = year_group if isinstance(year_group, int) else None
        group = None if self._groups_complete() else UNSET
        self.enrolments[(person, unit)] = EnrolmentPlan(person, unit, form, year_group, group)

    def _plan_placement(self, placement: dict[str, Any]) -> None:
        child = mapping.reference_id(placement.get("child"))
        if placement["schoolType"] != "FS":
            self.skipped["placements_not_preschool"] += 1
            return
        unit = mapping.reference_id(placement.get("placedAt"))
        if not self._active(placement) or not self.is_pupil(child) or unit not in self.units:
            self.skipped["placements_other"] += 1
            return
        group = mapping.reference_id(placement.get("group"))
        key = f"{group}/{self.year}" if group else None
        self.enrolments[(child, unit)] = EnrolmentPlan(child, unit, "FS", None, key)

    def _groups_complete(self) -> bool:
        """Whether every group (and so every membership) was read, not only changes."""
        collection = self.fetched.get("groups")
        return collection is not None and not getattr(collection, "incremental", False)

    def _load_stored_enrolments(self) -> None:
        year = AcademicYear.objects.filter(code=AcademicYear.code_for(self.year)).first()
        self._year_pk = year.pk if year else None
        pupils = list(self.pupil_id.values())
        rows = Enrolment.objects.filter(pupil_id__in=pupils).select_related("academic_year")
        for row in rows:
            self.stored_enrolments[(row.pupil_id, row.academic_year.start_year, row.unit_id)] = row

    def plan_groups(self) -> None:
        linked = self._linked_ids("groups", Node)
        self.node_id.update(linked)
        members: dict[tuple[str, str], str] = {}
        for item in self.items("groups"):
            key = self._plan_group(item)
            if key is None or item["groupType"] not in {"Klass", "Avdelning"}:
                continue
            unit = mapping.reference_id(item["organisation"])
            if unit is None:
                continue  # not reached: _plan_group gives no key to a group without a unit
            for membership in item.get("groupMemberships") or []:
                person = mapping.reference_id(membership.get("person"))
                if person and self._active(membership):
                    members[(person, unit)] = key
        for (person, unit), key in members.items():
            plan = self.enrolments.get((person, unit))
            if plan is not None:
                plan.group = key
            elif self.is_pupil(person):
                self.enrolments[(person, unit)] = EnrolmentPlan(person, unit, None, None, key)

    def _plan_group(self, item: dict[str, Any]) -> str | None:
        unit = mapping.reference_id(item["organisation"])
        if item["groupType"] not in mapping.MAPPED_GROUP_TYPES or unit not in self.units:
            self.skipped["groups_other"] += 1
            return None
        start, end = mapping.date(item["startDate"]), mapping.date(item.get("endDate"))
        if start is None or (end is not None and end < self.year_first):
            self.skipped["groups_ended"] += 1
            return None
        year = max(mapping.academic_start_year(start), self.year)
        key = f"{item['id']}/{year}"
        name = item["displayName"][:200]
        form = mapping.school_form(item.get("schoolType")) or ""
        if key in self.node_id:
            node = Node.objects.get(pk=self.node_id[key])
            if node.name != name:
                self.node_updates[node.pk] = {"name": name}
            return key
        existing = None
        if unit in self.node_id:
            existing = Node.objects.filter(
                kind=NodeKind.GROUP,
                parent_id=self.node_id[unit],
                academic_year__code=AcademicYear.code_for(year),
                name=name,
            ).first()
        if existing is not None:
            self.node_id[key] = existing.pk
            return key
        self.new_nodes.append(
            NodePlan(
                key,
                NodeKind.GROUP,
                name,
                parent_key=unit,
                fields={"academic_year": year, "school_form": form, "year_group": None},
            )
        )
        return key

    def finish_groups(self) -> None:
        """A new group's year group: the most common one of its pupils this year."""
        counts: dict[str, Counter] = {}
        for plan in self.enrolments.values():
            if isinstance(plan.group, str) and plan.year_group is not None:
                counts.setdefault(plan.group, Counter())[plan.year_group] += 1
        for node in self.new_nodes:
            if node.kind == NodeKind.GROUP and node.key in counts:
                node.fields["year_group"] = counts[node.key].most_common(1)[0][0]
            if node.kind == NodeKind.UNIT:
                node.fields["year_groups"] = sorted(
                    {
                        p.year_group
                        for p in self.enrolments.values()
                        if p.unit == node.key
                        and p.year_group is not None
                        and p.school_form in {"FKLASS", "GR", "GRS"}
                    }
                )

    # --- year groups ---------------------------------------------------------------------

    def year_group(self, person: str, year: int, unit: str) -> int | None:
        """A pupil's year group at a unit in an academic year: from the enrolment of that
        year, else counted back from this year's (a pupil moves up one year group a year)."""
        plan = self.enrolments.get((person, unit))
        if year == self.year and plan is not None and plan.year_group is not None:
            return plan.year_group
        pupil, unit_id = self.pupil_id.get(person), self.node_id.get(unit)
        if pupil is not None and unit_id is not None:
            stored = self.stored_enrolments.get((pupil, year, unit_id))
            if stored is not None and stored.year_group is not None:
                return stored.year_group
        now = self._current_year_group(person, plan)
        if now is None or year > self.year:
            return None
        earlier = now - (self.year - year)
        return earlier if earlier >= 0 else None

    def _current_year_group(self, person: str, plan: EnrolmentPlan | None) -> int | None:
        if plan is not None and plan.year_group is not None:
            return plan.year_group
        for other in self.enrolments.values():
            if other.person == person and other.year_group is not None:
                return other.year_group
        pupil = self.pupil_id.get(person)
        for (stored_pupil, year, _unit), row in self.stored_enrolments.items():
            if stored_pupil == pupil and year == self.year and row.year_group is not None:
                return row.year_group
        return None

    # --- grades --------------------------------------------------------------------------

    def plan_grades(self) -> None:
        for item in self.items("grades"):
            self._plan_grade(item)

    def _plan_grade(self, item: dict[str, Any]) -> None:
        person = mapping.reference_id(item["student"])
        unit = mapping.reference_id(item.get("organisation")) or mapping.reference_id(
            item.get("schoolUnit")
        )
        if not self.is_pupil(person):
            self.skipped["grades_unknown_pupils"] += 1
            return
        if unit not in self.units:
            self.skipped["grades_other_units"] += 1
            return
        syllabus = mapping.reference_id(item["syllabus"])
        subject = self.syllabuses.get(syllabus or "")
        if subject is None:
            self.problem(
                "grades",
                item,
                _("The grade refers to a syllabus (%(id)s) that the server does not list.")
                % {"id": syllabus},
            )
            return
        if not subject:
            self.skipped["grades_other_subjects"] += 1
            return
        value = mapping.grade_value(item["gradeValue"])
        if value is None:
            self.problem(
                "grades",
                item,
                _("The grade value %(value)s is not one of A, B, C, D, E, F or -.")
                % {"value": str(item["gradeValue"])[:10]},
            )
            return
        term = mapping.grade_term(item)
        if term is None:
            self.problem("grades", item, _("The grade has neither semester and year nor a date."))
            return
        year_group = self.year_group(person, term[0], unit)
        if year_group is None:
            self.skipped["grades_without_year_group"] += 1
            return
        code, language = subject.split("|")
        grade_type = "final" if item["finalGrade"] else "term"
        order = (
            str(item.get("registeredDate") or ""),
            str((item.get("meta") or {}).get("modified")),
        )
        plan = GradePlan(
            person,
            unit,
            term[0],
            term[1],
            code,
            grade_type,
            year_group,
            value,
            language,
            order,
            item["id"],
        )
        key = (person, term[0], term[1], code, grade_type)
        if key not in self.grades or self.grades[key].order <= order:
            self.grades[key] = plan

    def check_final_grades(self) -> None:
        """The final grades the sync would write, under the file import's rule
        (ingest/files/final_grades.py): one final grade per pupil and subject, so a second
        one among them or beside a stored one of another term or year group is a problem of
        that grade (the same term and year group again is a correction); SV and SVA both is
        a warning."""
        finals = [plan for plan in self.grades.values() if plan.grade_type == "final"]
        if not finals:
            return
        pseudonyms = {
            ext: pseudonym_for(plan.number)
            for ext, plan in self.pupils.items()
            if ext in {p.person for p in finals}
        }
        known = {self.pupil_id[p.person]: p.person for p in finals if p.person not in pseudonyms}
        for pk, pseudonym in Pupil.objects.filter(pk__in=known).values_list("pk", "pseudonym"):
            pseudonyms[known[pk]] = pseudonym
        subjects = dict(
            Subject.objects.filter(code__in={p.subject for p in finals}).values_list("code", "pk")
        )
        frame = pl.DataFrame(
            [
                (
                    index,
                    pseudonyms[p.person],
                    subjects[p.subject],
                    p.subject,
                    p.year,
                    p.term,
                    p.year_group,
                )
                for index, p in enumerate(finals)
            ],
            schema={
                "_line": pl.Int64,
                "pupil": pl.String,
                "subject_id": pl.Int64,
                "ämne": pl.String,
                "läsår": pl.Int64,
                "termin": pl.String,
                "årskurs": pl.Int64,
            },
            orient="row",
        )
        findings = final_grades_checked(frame)
        for index, first in findings.second.select("_line", "_first").iter_rows():
            plan, other = finals[index], finals[first]
            self._grade_problem(
                plan,
                _(
                    "A second final grade in %(subject)s for the pupil (grades/%(other)s: "
                    "%(year)s %(term)s, year group %(group)d): a pupil has one final grade per "
                    "subject, given in the year group the subject ended."
                )
                % {
                    "subject": other.subject,
                    "other": other.item,
                    "year": AcademicYear.code_for(other.year),
                    "term": other.term,
                    "group": other.year_group,
                },
            )
        messages = stored_final_grade_messages(findings.stored)
        for index, message in zip(findings.stored["_line"], messages, strict=True):
            self._grade_problem(finals[index], message)
        both = findings.swedish
        for at, sva, sv in both.head(MAX_WARNINGS_LISTED).select("_at", "_sva", "_sv").iter_rows():
            other = sv if at == sva else sva
            if other is None:
                message = swedish_twice_message_stored()
            else:
                message = _(
                    "The pupil has final grades in both SV and SVA (the other is "
                    "grades/%(other)s). They are alternatives: the indicators count one, the "
                    "one given last, and SVA when both were given in the same term "
                    "(skolförordningen 5 kap. 15 §)."
                ) % {"other": finals[other].item}
            self.warnings.append(
                str(ImportProblem(f"grades/{finals[at].item}", None, None, message))
            )
        if both.height > MAX_WARNINGS_LISTED:
            self.warnings.append(swedish_twice_more_message(both.height - MAX_WARNINGS_LISTED))

    def _grade_problem(self, plan: GradePlan, message: str) -> None:
        self.problems.append(ImportProblem(f"grades/{plan.item}", None, None, message))

    # --- absence -------------------------------------------------------------------------

    def attendance_requests(self) -> list[tuple[str, str, dt.date, dt.date]]:
        """(unit, term, first day, last day) for each unit and each calendar month of a term
        of this academic year that has begun, up to today: the periods whose aggregated
        attendance is read (and stored: absence per period, docs/ss12000.md)."""
        requests = []
        for term, (first, last) in self.terms.items():
            if first > self.today:
                continue
            for start, end in month_periods(first, min(last, self.today)):
                for unit in sorted(self.units):
                    requests.append((unit, term, start, end))
        return requests

    def plan_attendance(
        self,
        unit: str,
        term: str,
        records: list[dict[str, Any]],
        period: tuple[dt.date, dt.date] | None = None,
    ) -> None:
        """The pupils' absence at `unit` in `period` (of `term`; the whole term when None)
        from the aggregated-attendance records read for it, summed over activities."""
        sums: dict[str, list[int]] = {}
        for record in records:
            problems = checks.attendance_problems(unit, record)
            if problems:
                self.problems.extend(problems)
                continue
            person = mapping.reference_id(record["student"])
            if not self.is_pupil(person):
                self.skipped["attendance_unknown_pupils"] += 1
                continue
            total = sums.setdefault(person, [0, 0, 0])
            valid = _minutes(record.get("validAbsenceSum"))
            invalid = _minutes(record.get("invalidAbsenceSum"))
            offered = record.get("offeredSum")
            scheduled = (
                _minutes(offered)
                if isinstance(offered, int)
                else _minutes(record["attendanceSum"])
                + valid
                + invalid
                + _minutes(record.get("otherAttendanceSum"))
            )
            total[0] += scheduled
            total[1] += valid + invalid
            total[2] += invalid
        first, last = period if period is not None else self.terms[term]
        for person, (scheduled, absent, unexcused) in sums.items():
            self._plan_absence(person, unit, term, (first, last), scheduled, absent, unexcused)

    def _plan_absence(
        self,
        person: str,
        unit: str,
        term: str,
        period: tuple[dt.date, dt.date],
        scheduled: int,
        absent: int,
        unexcused: int,
    ) -> None:
        if absent > scheduled:
            self.problems.append(
                ImportProblem(
                    f"aggregatedAttendance?organisation={unit}&student={person}"
                    f"&startDate={period[0].isoformat()}&endDate={period[1].isoformat()}",
                    None,
                    None,
                    _("The absence (%(absent)d min) is longer than the scheduled time.")
                    % {"absent": absent},
                )
            )
            return
        year_group = self.year_group(person, self.year, unit)
        if year_group is None:
            self.skipped["absence_without_year_group"] += 1
            return
        self.absences[(person, term, unit, period[0])] = AbsencePlan(
            person, unit, term, period[0], period[1], year_group, scheduled, absent, unexcused
        )

    # --- duties --------------------------------------------------------------------------

    def plan_duties(self) -> None:
        for item in self.items("duties"):
            person = mapping.reference_id(item.get("person"))
            unit = mapping.reference_id(item["dutyAt"])
            if person is None or not (person in self.staff or person in self.staff_id):
                self.skipped["duties_unknown_persons"] += 1
                continue
            if unit not in self.units or not self._active(item):
                self.skipped["duties_other"] += 1
                continue
            percent = item.get("dutyPercent")
            if not isinstance(percent, int) or not 0 < percent <= 200:
                self.skipped["duties_without_percent"] += 1
                continue
            role = mapping.staff_role(item["dutyRole"])
            key = (person, unit, role)
            plan = self.employments.setdefault(key, EmploymentPlan(person, unit, role, Decimal(0)))
            plan.fte += Decimal(percent) / 100


def _personal_number(item: dict[str, Any]) -> PersonalNumber | None:
    civic = item.get("civicNo")
    value = civic.get("value") if isinstance(civic, dict) else None
    if not isinstance(value, str):
        return None
    try:
        return parse_personal_number(value)
    except InvalidPersonalNumber:
        return None


def _minutes(value: Any) -> int:
    return value if isinstance(value, int) and value > 0 else 0
