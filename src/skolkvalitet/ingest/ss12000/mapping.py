"""How SS 12000's codes become Skolkvalitet's: school forms, staff roles, subjects, terms.

Pure functions on the JSON objects of the API (no database), used by plan.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from skolkvalitet.organisation.models.nodes import OrganiserType, SchoolForm
from skolkvalitet.organisation.models.people import StaffRole
from skolkvalitet.results.grades import GRADE_VALUES

# SchoolTypesEnum → SchoolForm. The codes Skolkvalitet has are the same; träningsskolan is
# part of (anpassade) grundsärskolan, and the forms of municipal adult education are VUX.
SCHOOL_FORMS: dict[str, str] = {code: code for code in SchoolForm.values}
SCHOOL_FORMS |= {"TR": "GRS", "VUXSFI": "VUX", "VUXGR": "VUX", "VUXGY": "VUX", "SFI": "VUX"}

# DutyRole → StaffRole.
STAFF_ROLES: dict[str, str] = {
    "Lärare": StaffRole.TEACHER,
    "Förskollärare": StaffRole.PRESCHOOL_TEACHER,
    "Barnskötare": StaffRole.CHILDMINDER,
    "Rektor": StaffRole.HEAD,
    "Förskolechef": StaffRole.HEAD,
}

MAPPED_GROUP_TYPES = frozenset({"Klass", "Undervisning", "Avdelning"})
LANGUAGE_SUBJECTS = ("ML", "M1", "M2")


# The type of organiser an organisationsnummer tells (Skatteverket, SKV 709: the first digit
# is the group of legal form; 2 is the state, regions, municipalities and parishes, whose
# numbers begin 202100 for state agencies, 212000 for municipalities, 222000 for
# kommunalförbund and 232100 for regions; 5–9 are companies, economic and non-profit
# associations, foundations and partnerships). A kommunalförbund is a municipal organiser in
# Skolverket's statistics (HUVUDMANNATYP Kommunal in Skolenhetsregistret).
ORGANISER_TYPE_PREFIXES: tuple[tuple[str, str], ...] = (
    ("212000", OrganiserType.MUNICIPAL),
    ("222000", OrganiserType.MUNICIPAL),
    ("232100", OrganiserType.REGIONAL),
    ("202100", OrganiserType.STATE),
    *((digit, OrganiserType.INDEPENDENT) for digit in "56789"),
)


def organiser_type(number: str) -> str:
    """The OrganiserType an organisationsnummer (ten digits) tells, or "" when it tells none
    (the other numbers of group 2, such as parishes, and foreign or unknown forms)."""
    return next((kind for prefix, kind in ORGANISER_TYPE_PREFIXES if number.startswith(prefix)), "")


def school_form(code: str | None) -> str | None:
    """The SchoolForm for a SchoolTypesEnum code; None for forms Skolkvalitet does not keep
    (specialskola, sameskola, kulturskola, ...)."""
    return SCHOOL_FORMS.get(code or "")


def staff_role(duty_role: str | None) -> str:
    return STAFF_ROLES.get(duty_role or "", StaffRole.OTHER)


def reference_id(value: Any) -> str | None:
    """The id of an ObjectReference ({"id": ..., "displayName": ...}), else None."""
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    return None


def date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def datetime(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def academic_start_year(day: dt.date) -> int:
    """The academic year a day belongs to, by its start year: from July on, the coming one
    (placements for the autumn are made in the summer)."""
    return day.year if day.month >= 7 else day.year - 1


def overlaps(start: dt.date | None, end: dt.date | None, first: dt.date, last: dt.date) -> bool:
    """True if [start, end] (open where None) overlaps [first, last]."""
    return (start is None or start <= last) and (end is None or end >= first)


def grade_term(grade: dict[str, Any]) -> tuple[int, str] | None:
    """(academic start year, "HT"/"VT") of a grade: from semester and year, else from the
    registration date."""
    semester, year = grade.get("semester"), grade.get("year")
    if semester in {"HT", "VT"} and isinstance(year, int):
        return (year if semester == "HT" else year - 1), semester
    registered = date(grade.get("registeredDate"))
    if registered is None:
        return None
    if registered.month >= 7:
        return registered.year, "HT"
    return registered.year - 1, "VT"


def grade_value(text: Any) -> str | None:
    """A grade on the A–F scale ("-": no basis for a grade); None for anything else."""
    if not isinstance(text, str):
        return None
    value = text.strip().upper()
    if value in {"–", "—"}:
        value = "-"
    return value if value in GRADE_VALUES else None


def subject_of(syllabus: dict[str, Any], known: set[str]) -> tuple[str, str] | None:
    """(subject code, language) for a syllabus, matched against Skolkvalitet's subject codes
    (`known`): its subjectDesignation ("MA", "MLARA", "M2SPA"), else its subjectCode. The
    language of modern languages and mother tongue comes from languageCode (ISO 639) or the
    designation's suffix. None if the subject is not one Skolkvalitet follows."""
    designation = str(syllabus.get("subjectDesignation") or "").strip().upper()
    code = str(syllabus.get("subjectCode") or "").strip().upper()
    language_code = str(syllabus.get("languageCode") or "").strip().upper()
    for prefix in LANGUAGE_SUBJECTS:
        if designation.startswith(prefix) and prefix in known:
            language = language_code[:3] or designation[len(prefix) : len(prefix) + 3]
            return prefix, language
    if designation in known:
        return designation, ""
    if code in known:
        return code, language_code[:3] if code in LANGUAGE_SUBJECTS else ""
    return None
