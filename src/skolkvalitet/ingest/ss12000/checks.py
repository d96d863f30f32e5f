"""Checking what an SS 12000 server sends, field by field, as the file importers check cells.

A server that sends junk ("ex" as a skolenhetskod, "dolo" as a municipality code, a date that
is no date, a school type the spec does not list) must not create organisers and units: every
field the sync reads is parsed with the same functions the file importers use (ingest/files/cells.py
for dates, year groups, grades and languages; ingest/register.py for skolenhetskod,
organisationsnummer and municipality code; organisation/identity.py, through cells, for the
personnummer) or checked against the spec's enumeration, and every problem is reported per
object: `resource/id: field (value): what is wrong`. The sync is rejected, all or nothing, if
there is any. A personnummer is never repeated in a message.

The enumerations are those of the implementation spec version 2.1.0 (ist-group/ss12k2xsd,
openapi_ss12000_version2_1_0.yaml, MIT): OrganisationTypeEnum, SchoolTypesEnum,
GroupTypesEnum, DutyRole, Placement.schoolType and Grade.semester.

Fields the sync does not read (addresses, birthDate, sex, contact details, the times of
reported absences, ...) are not checked. A grade's value is checked by the planner, only for
the grades it keeps (other subjects and courses may use other scales).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from skolkvalitet.batches.problems import ImportProblem
from skolkvalitet.ingest.files import cells
from skolkvalitet.ingest.files.cells import CellError, unit_code
from skolkvalitet.ingest.register import municipality_code, organisationsnummer
from skolkvalitet.ingest.ss12000 import mapping

ORGANISATION_TYPES = (
    "Huvudman",
    "Verksamhetsområde",
    "Förvaltning",
    "Rektorsområde",
    "Skola",
    "Skolenhet",
    "Varumärke",
    "Bolag",
    "Övrigt",
)
SCHOOL_TYPES = (
    "FS",
    "FKLASS",
    "FTH",
    "OPPFTH",
    "GR",
    "GRS",
    "TR",
    "SP",
    "SAM",
    "GY",
    "GYS",
    "VUX",
    "VUXSFI",
    "VUXGR",
    "VUXGY",
    "VUXSARGR",
    "VUXSARTR",
    "VUXSARGY",
    "SFI",
    "SARVUX",
    "SARVUXGR",
    "SARVUXGY",
    "KU",
    "YH",
    "FHS",
    "STF",
    "KKU",
    "HS",
    "ABU",
    "AU",
)
PLACEMENT_SCHOOL_TYPES = ("FS", "FTH", "OPPFTH")
GROUP_TYPES = (
    "Undervisning",
    "Klass",
    "Mentor",
    "Provgrupp",
    "Schema",
    "Avdelning",
    "Personalgrupp",
    "Övrigt",
)
DUTY_ROLES = (
    "Rektor",
    "Lärare",
    "Förskollärare",
    "Barnskötare",
    "Bibliotekarie",
    "Lärarassistent",
    "Fritidspedagog",
    "Annan personal",
    "Studie- och yrkesvägledare",
    "Förstelärare",
    "Kurator",
    "Skolsköterska",
    "Skolläkare",
    "Skolpsykolog",
    "Speciallärare/specialpedagog",
    "Skoladministratör",
    "Övrig arbetsledning",
    "Övrig pedagogisk personal",
    "Förskolechef",
)
SEMESTERS = ("HT", "VT")

# A "tillfälligt personnummer" from a pupil register: the spec lets the two positions after
# the date be letters (20130101TF01). The sync leaves such persons out and counts them.
TEMPORARY_NUMBER = re.compile(r"[0-9]{8}[A-Za-z]{2}[0-9]{2}")
FIRST_GRADE_YEAR, LAST_GRADE_YEAR = 1950, 2100
VALUE_SHOWN = 40  # characters of a wrong value repeated in a message


def is_temporary_number(value: str) -> bool:
    return TEMPORARY_NUMBER.fullmatch(value.strip()) is not None


class ObjectCheck:
    """The checks of one object; `problems` collects what is wrong with it."""

    def __init__(self, resource: str, item: Mapping[str, Any]) -> None:
        self.where = f"{resource}/{item.get('id', '?')}"
        self.problems: list[ImportProblem] = []

    def add(self, path: str, message: str, value: Any = None, *, show: bool = True) -> None:
        if show and value is not None:
            text = value if isinstance(value, str) else repr(value)
            if len(text) > VALUE_SHOWN:
                text = text[: VALUE_SHOWN - 1] + "…"
            message = _("%(field)s (%(value)s): %(problem)s") % {
                "field": path,
                "value": text,
                "problem": message,
            }
        else:
            message = _("%(field)s: %(problem)s") % {"field": path, "problem": message}
        self.problems.append(ImportProblem(self.where, None, path, message))

    def missing(self, path: str, value: Any, required: bool) -> bool:
        """True (and a problem if `required`) when the field is absent or empty."""
        if value is None or value == "":
            if required:
                self.add(path, _("The field is missing or empty."))
            return True
        return False

    def parsed(
        self,
        path: str,
        value: Any,
        reader: Callable[[str], Any],
        *,
        required: bool = False,
        show: bool = True,
    ) -> Any:
        """`reader` (a cell parser) applied to a text field, as to a cell of a file."""
        if self.missing(path, value, required):
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.add(path, _("The field should be text."), value, show=show)
            return None
        try:
            return reader(str(value))
        except CellError as error:
            self.add(path, str(error), value, show=show)
            return None

    def text(self, path: str, value: Any, *, required: bool = False) -> None:
        if self.missing(path, value, required):
            return
        if not isinstance(value, str) or not value.strip():
            self.add(path, _("The field should be text."), value)

    def date(self, path: str, value: Any, *, required: bool = False) -> None:
        self.parsed(path, value, cells.date, required=required)

    def one_of(
        self, path: str, value: Any, allowed: Iterable[str], *, required: bool = False
    ) -> None:
        allowed = tuple(allowed)
        if self.missing(path, value, required):
            return
        if value not in allowed:
            self.add(
                path,
                _("Not one of the values SS 12000 allows here (%(values)s).")
                % {"values": ", ".join(allowed)},
                value,
            )

    def integer(
        self, path: str, value: Any, low: int, high: int | None = None, *, required: bool = False
    ) -> int | None:
        if self.missing(path, value, required):
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, _("The field should be a whole number."), value)
            return None
        if value < low or (high is not None and value > high):
            message = (
                _("The number should be %(low)d to %(high)d.") % {"low": low, "high": high}
                if high is not None
                else _("The number should be %(low)d or more.") % {"low": low}
            )
            self.add(path, message, value)
            return None
        return value

    def boolean(self, path: str, value: Any, *, required: bool = False) -> None:
        if self.missing(path, value, required):
            return
        if not isinstance(value, bool):
            self.add(path, _("The field should be true or false."), value)

    def reference(self, path: str, value: Any, *, required: bool = False) -> None:
        if self.missing(path, value, required):
            return
        if mapping.reference_id(value) is None:
            self.add(path, _("The field should be a reference to an object (with an id)."), value)

    def objects(self, path: str, value: Any) -> list[tuple[str, dict[str, Any]]]:
        """The (path, object) of each element of a list field (absent: none)."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(path, _("The field should be a list."), value)
            return []
        found = []
        for index, element in enumerate(value):
            if isinstance(element, dict):
                found.append((f"{path}[{index}]", element))
            else:
                self.add(f"{path}[{index}]", _("The field should be an object."), element)
        return found


# --- per resource -------------------------------------------------------------------------


def _organisation(check: ObjectCheck, item: dict[str, Any]) -> None:
    check.text("displayName", item.get("displayName"), required=True)
    check.one_of("organisationType", item.get("organisationType"), ORGANISATION_TYPES)
    check.parsed("organisationNumber", item.get("organisationNumber"), organisationsnummer)
    check.parsed("municipalityCode", item.get("municipalityCode"), municipality_code)
    check.parsed("schoolUnitCode", item.get("schoolUnitCode"), unit_code)
    check.reference("parentOrganisation", item.get("parentOrganisation"))
    types = item.get("schoolTypes")
    if types is not None and not isinstance(types, list):
        check.add("schoolTypes", _("The field should be a list."), types)
    elif types:
        for index, code in enumerate(types):
            check.one_of(f"schoolTypes[{index}]", code, SCHOOL_TYPES, required=True)


def _person(check: ObjectCheck, item: dict[str, Any]) -> None:
    check.text("givenName", item.get("givenName"), required=True)
    check.text("familyName", item.get("familyName"), required=True)
    civic = item.get("civicNo")
    if civic is not None:
        if not isinstance(civic, dict):
            check.add("civicNo", _("The field should be an object."), show=False)
        elif str(civic.get("nationality") or "SE").upper() == "SE":
            value = civic.get("value")
            if not (isinstance(value, str) and is_temporary_number(value)):
                check.parsed(
                    "civicNo.value", value, cells.personal_number, required=True, show=False
                )
    for path, enrolment in check.objects("enrolments", item.get("enrolments")):
        check.reference(f"{path}.enroledAt", enrolment.get("enroledAt"), required=True)
        school_type = enrolment.get("schoolType")
        check.one_of(f"{path}.schoolType", school_type, SCHOOL_TYPES, required=True)
        year = check.integer(f"{path}.schoolYear", enrolment.get("schoolYear"), 0, 10)
        if year is not None and mapping.school_form(school_type) is not None:
            check.parsed(f"{path}.schoolYear", year, cells.year_group)
        check.date(f"{path}.startDate", enrolment.get("startDate"), required=True)
        check.date(f"{path}.endDate", enrolment.get("endDate"))
        check.boolean(f"{path}.cancelled", enrolment.get("cancelled"))


def _group(check: ObjectCheck, item: dict[str, Any]) -> None:
    check.text("displayName", item.get("displayName"), required=True)
    check.one_of("groupType", item.get("groupType"), GROUP_TYPES, required=True)
    check.one_of("schoolType", item.get("schoolType"), SCHOOL_TYPES)
    check.reference("organisation", item.get("organisation"), required=True)
    check.date("startDate", item.get("startDate"), required=True)
    check.date("endDate", item.get("endDate"))
    for path, membership in check.objects("groupMemberships", item.get("groupMemberships")):
        check.reference(f"{path}.person", membership.get("person"), required=True)
        check.date(f"{path}.startDate", membership.get("startDate"))
        check.date(f"{path}.endDate", membership.get("endDate"))


def _placement(check: ObjectCheck, item: dict[str, Any]) -> None:
    check.reference("child", item.get("child"), required=True)
    check.reference("placedAt", item.get("placedAt"), required=True)
    check.reference("group", item.get("group"))
    check.one_of("schoolType", item.get("schoolType"), PLACEMENT_SCHOOL_TYPES, required=True)
    check.date("startDate", item.get("startDate"), required=True)
    check.date("endDate", item.get("endDate"))


def _duty(check: ObjectCheck, item: dict[str, Any]) -> None:
    check.reference("person", item.get("person"))
    check.reference("dutyAt", item.get("dutyAt"), required=True)
    check.one_of("dutyRole", item.get("dutyRole"), DUTY_ROLES, required=True)
    check.integer("dutyPercent", item.get("dutyPercent"), 0)
    check.date("startDate", item.get("startDate"), required=True)
    check.date("endDate", item.get("endDate"))


def _syllabus(check: ObjectCheck, item: dict[str, Any]) -> None:
    check.one_of("schoolType", item.get("schoolType"), SCHOOL_TYPES, required=True)
    check.boolean("official", item.get("official"), required=True)
    check.parsed("languageCode", item.get("languageCode"), cells.language)


def _grade(check: ObjectCheck, item: dict[str, Any]) -> None:
    check.reference("student", item.get("student"), required=True)
    check.reference("syllabus", item.get("syllabus"), required=True)
    check.reference("organisation", item.get("organisation"))
    check.boolean("finalGrade", item.get("finalGrade"), required=True)
    check.one_of("semester", item.get("semester"), SEMESTERS)
    check.integer("year", item.get("year"), FIRST_GRADE_YEAR, LAST_GRADE_YEAR)
    check.date("registeredDate", item.get("registeredDate"))


CHECKS: dict[str, Callable[[ObjectCheck, dict[str, Any]], None]] = {
    "organisations": _organisation,
    "persons": _person,
    "groups": _group,
    "placements": _placement,
    "duties": _duty,
    "syllabuses": _syllabus,
    "grades": _grade,
}


def object_problems(resource: str, item: dict[str, Any]) -> list[ImportProblem]:
    """Every problem of one object of `resource` (none for resources not checked)."""
    checker = CHECKS.get(resource)
    if checker is None:
        return []
    check = ObjectCheck(resource, item)
    checker(check, item)
    return check.problems


def objects_checked(collections: Mapping[str, Any]) -> list[ImportProblem]:
    """Every problem of every object read (collections: resource → Collection), in the
    order read."""
    problems: list[ImportProblem] = []
    for resource, collection in collections.items():
        for item in collection.items:
            problems.extend(object_problems(resource, item))
    return problems


def attendance_problems(unit: str, record: dict[str, Any]) -> list[ImportProblem]:
    """An aggregated-attendance record (it has no id: named by unit and student)."""
    student = mapping.reference_id(record.get("student")) or "?"
    check = ObjectCheck("aggregatedAttendance", {"id": f"{unit}/{student}"})
    check.reference("student", record.get("student"), required=True)
    check.integer("attendanceSum", record.get("attendanceSum"), 0, required=True)
    for name in ("validAbsenceSum", "invalidAbsenceSum", "otherAttendanceSum", "offeredSum"):
        check.integer(name, record.get(name), 0)
    return check.problems
