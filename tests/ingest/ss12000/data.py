"""The data set the test server serves: one organiser (Huvudman) with an administration, two
school units with codes and a preschool without one; classes 6A, 9A, 9B, a teaching group and
a mentor group; ten pupils with valid personnummer, a pupil with a temporary number, a
teacher, a guardian; a fritidshem placement; duties; grades; reported absences; aggregated
attendance for each begun term. Objects are built as the spec describes them, and the server
validates every one of them against the spec before sending it.

Everything is dated relative to `today`: the academic year is the one `today` falls in.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from skolkvalitet.organisation.identity import make_personal_number
from skolkvalitet.results.absence import month_periods

NAMESPACE = uuid.UUID("6f1c9f0e-4a55-4f4e-9d3b-5b0a7c1e2d3f")
CREATED = "2025-06-01T08:00:00+00:00"
TOKEN = "test-token-9f2c"


def uid(name: str) -> str:
    """A stable uuid per name, so tests can refer to objects by name."""
    return str(uuid.uuid5(NAMESPACE, name))


def meta(modified: str = CREATED) -> dict[str, str]:
    return {"created": CREATED, "modified": modified}


def ref(name: str) -> dict[str, str]:
    return {"id": uid(name)}


@dataclass(frozen=True)
class PupilSpec:
    name: str
    family: str
    birth: dt.date
    serial: int
    unit: str
    klass: str
    year_group: int

    @property
    def civic_no(self) -> str:
        return make_personal_number(self.birth, self.serial)


@dataclass
class DataSet:
    today: dt.date
    year: int  # the academic year's start year
    pupils: list[PupilSpec]
    resources: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # (unit id, first day, last day, record): aggregated attendance per unit and month
    attendance: list[tuple[str, dt.date, dt.date, dict[str, Any]]] = field(default_factory=list)

    def find(self, resource: str, name: str) -> dict[str, Any]:
        wanted = uid(name)
        return next(item for item in self.resources[resource] if item["id"] == wanted)

    @property
    def civic_numbers(self) -> list[str]:
        numbers = [p.civic_no for p in self.pupils] + [TEACHER_CIVIC_NO, GUARDIAN_CIVIC_NO]
        return numbers + [n[2:] for n in numbers]  # the 10-digit forms too


TEACHER_CIVIC_NO = make_personal_number(dt.date(1980, 5, 17), 135)
GUARDIAN_CIVIC_NO = make_personal_number(dt.date(1979, 10, 2), 248)


def academic_start_year(day: dt.date) -> int:
    return day.year if day.month >= 7 else day.year - 1


def term_dates(year: int) -> dict[str, tuple[dt.date, dt.date]]:
    return {
        "HT": (dt.date(year, 8, 15), dt.date(year, 12, 22)),
        "VT": (dt.date(year + 1, 1, 8), dt.date(year + 1, 6, 14)),
    }


def pupils_for(year: int) -> list[PupilSpec]:
    """Four pupils in 6A at Ängsskolan, three each in 9A and 9B at Åsskolan."""
    six, nine = year - 12, year - 15  # birth years of year groups 6 and 9
    return [
        PupilSpec("Alva", "Berg", dt.date(six, 3, 14), 242, "Ängsskolan", "6A", 6),
        PupilSpec("Cesar", "Dahl", dt.date(six, 11, 30), 157, "Ängsskolan", "6A", 6),
        PupilSpec("Elin", "Falk", dt.date(six, 5, 21), 428, "Ängsskolan", "6A", 6),
        PupilSpec("Gabriel", "Holm", dt.date(six, 1, 9), 311, "Ängsskolan", "6A", 6),
        PupilSpec("Ida", "Jonsson", dt.date(nine, 2, 28), 266, "Åsskolan", "9A", 9),
        PupilSpec("Karl", "Lind", dt.date(nine, 8, 8), 473, "Åsskolan", "9A", 9),
        PupilSpec("Maja", "Nord", dt.date(nine, 9, 17), 120, "Åsskolan", "9A", 9),
        PupilSpec("Nils", "Ek", dt.date(nine, 12, 24), 639, "Åsskolan", "9B", 9),
        PupilSpec("Olivia", "Qvist", dt.date(nine, 4, 1), 582, "Åsskolan", "9B", 9),
        PupilSpec("Pontus", "Rask", dt.date(nine, 6, 6), 715, "Åsskolan", "9B", 9),
    ]


GRADES_NINE = {"MA": "C", "SV": "B", "EN": "A"}
GRADES_SIX = {"MA": "D", "SV": "C"}


def make_data_set(today: dt.date) -> DataSet:
    year = academic_start_year(today)
    data = DataSet(today=today, year=year, pupils=pupils_for(year))
    data.resources = {
        "organisations": _organisations(),
        "syllabuses": _syllabuses(),
        "persons": _persons(data),
        "groups": _groups(data),
        "placements": _placements(data),
        "duties": _duties(year),
        "grades": _grades(data),
        "absences": _absences(data),
    }
    data.attendance = _attendance(data)
    return data


def _organisations() -> list[dict[str, Any]]:
    return [
        {
            "id": uid("Exempelstads kommun"),
            "meta": meta(),
            "displayName": "Exempelstads kommun",
            "organisationType": "Huvudman",
            "organisationNumber": "212000-9994",
            "municipalityCode": "0999",
        },
        {
            "id": uid("Utbildningsförvaltningen"),
            "meta": meta(),
            "displayName": "Utbildningsförvaltningen",
            "organisationType": "Förvaltning",
            "parentOrganisation": ref("Exempelstads kommun"),
        },
        {
            "id": uid("Ängsskolan"),
            "meta": meta(),
            "displayName": "Ängsskolan",
            "organisationType": "Skolenhet",
            "schoolUnitCode": "30000001",
            "schoolTypes": ["FKLASS", "GR", "FTH"],
            "municipalityCode": "0999",
            "parentOrganisation": ref("Utbildningsförvaltningen"),
        },
        {
            "id": uid("Åsskolan"),
            "meta": meta(),
            "displayName": "Åsskolan",
            "organisationType": "Skolenhet",
            "schoolUnitCode": "30000002",
            "schoolTypes": ["GR"],
            "municipalityCode": "0999",
            "parentOrganisation": ref("Utbildningsförvaltningen"),
        },
        {
            "id": uid("Solrosens förskola"),
            "meta": meta(),
            "displayName": "Solrosens förskola",
            "organisationType": "Skolenhet",
            "schoolTypes": ["FS"],
            "parentOrganisation": ref("Utbildningsförvaltningen"),
        },
    ]


def _syllabus(name: str, designation: str, code: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": uid(f"syllabus {designation}"),
        "meta": meta(),
        "schoolType": "GR",
        "subjectName": name,
        "subjectDesignation": designation,
        "subjectCode": code,
        "official": True,
        "curriculum": "GR2011",
        **extra,
    }


def _syllabuses() -> list[dict[str, Any]]:
    return [
        _syllabus("Matematik", "MA", "GRGRMAT01"),
        _syllabus("Svenska", "SV", "GRGRSVE01"),
        _syllabus("Engelska", "EN", "GRGRENG01"),
        _syllabus("Modersmål", "MLARA", "GRGRMOD01", languageCode="ara"),
        {**_syllabus("Elevens val", "EV", "EV01"), "official": False},
    ]


def _person(name: str, family: str, civic_no: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": uid(name),
        "meta": meta(),
        "givenName": name,
        "familyName": family,
        "civicNo": {"value": civic_no, "nationality": "SE"},
        **extra,
    }


def _persons(data: DataSet) -> list[dict[str, Any]]:
    first, last = data.year, data.year + 1
    persons = [
        _person(
            p.name,
            p.family,
            p.civic_no,
            birthDate=p.birth.isoformat(),
            sex="Man" if p.serial % 2 else "Kvinna",
            enrolments=[
                {
                    "enroledAt": ref(p.unit),
                    "schoolType": "GR",
                    "schoolYear": p.year_group,
                    "startDate": f"{first - p.year_group + 1}-08-15",
                    "endDate": f"{last}-06-14" if p.year_group == 9 else f"{last + 3}-06-14",
                }
            ],
        )
        for p in data.pupils
    ]
    persons.append(
        _person(
            "Rami",
            "Saleh",
            f"{data.year - 12}0101TF01",  # a temporary number: no pupil is kept for it
            enrolments=[
                {
                    "enroledAt": ref("Ängsskolan"),
                    "schoolType": "GR",
                    "schoolYear": 6,
                    "startDate": f"{first}-08-15",
                }
            ],
        )
    )
    persons.append(_person("Tove", "Ulf", TEACHER_CIVIC_NO))
    persons.append(_person("Vera", "Berg", GUARDIAN_CIVIC_NO))
    return persons


def _group(name: str, unit: str, group_type: str, year: int, members: list[str]) -> dict:
    first, last = term_dates(year)["HT"][0], term_dates(year)["VT"][1]
    return {
        "id": uid(f"group {name}"),
        "meta": meta(),
        "displayName": name,
        "groupType": group_type,
        "schoolType": "GR",
        "organisation": ref(unit),
        "startDate": first.isoformat(),
        "endDate": last.isoformat(),
        "groupMemberships": [
            {"person": ref(member), "startDate": first.isoformat(), "endDate": last.isoformat()}
            for member in members
        ],
    }


def _groups(data: DataSet) -> list[dict[str, Any]]:
    def members(klass: str) -> list[str]:
        return [p.name for p in data.pupils if p.klass == klass]

    return [
        _group("6A", "Ängsskolan", "Klass", data.year, members("6A")),
        _group("9A", "Åsskolan", "Klass", data.year, members("9A")),
        _group("9B", "Åsskolan", "Klass", data.year, members("9B")),
        _group("MA9 grupp 1", "Åsskolan", "Undervisning", data.year, members("9A")),
        _group("Mentorsgrupp Ida", "Åsskolan", "Mentor", data.year, ["Ida"]),
        _group("8A", "Åsskolan", "Klass", data.year - 1, members("9A")),  # last year's
    ]


def _placements(data: DataSet) -> list[dict[str, Any]]:
    return [
        {
            "id": uid("placement Alva fritids"),
            "meta": meta(),
            "child": ref("Alva"),
            "placedAt": ref("Ängsskolan"),
            "schoolType": "FTH",
            "startDate": f"{data.year}-08-15",
            "owners": [ref("Vera")],
        }
    ]


def _duties(year: int) -> list[dict[str, Any]]:
    return [
        {
            "id": uid("duty Tove Åsskolan"),
            "meta": meta(),
            "person": ref("Tove"),
            "dutyAt": ref("Åsskolan"),
            "dutyRole": "Lärare",
            "dutyPercent": 80,
            "signature": "TUL",
            "startDate": f"{year - 3}-08-01",
        },
        {
            "id": uid("duty Tove Ängsskolan"),
            "meta": meta(),
            "person": ref("Tove"),
            "dutyAt": ref("Ängsskolan"),
            "dutyRole": "Lärare",
            "dutyPercent": 20,
            "startDate": f"{year}-08-01",
        },
    ]


def grade(
    name: str,
    pupil: str,
    unit: str,
    subject: str,
    value: str,
    *,
    semester: str,
    year: int,
    final: bool = False,
    modified: str = CREATED,
) -> dict[str, Any]:
    registered = f"{year}-12-20" if semester == "HT" else f"{year}-06-10"
    return {
        "id": uid(name),
        "meta": meta(modified),
        "student": ref(pupil),
        "organisation": ref(unit),
        "schoolUnit": ref(unit),  # required by the spec's Grade though not defined there
        "registeredBy": ref("Tove"),
        "gradingTeacher": ref("Tove"),
        "registeredDate": registered,
        "gradeValue": value,
        "finalGrade": final,
        "adaptedStudyPlan": "",
        "semester": semester,
        "year": year,
        "syllabus": {"id": uid(f"syllabus {subject}")},
    }


def grade_name(pupil: str, subject: str, semester: str, year: int) -> str:
    return f"grade {pupil} {subject} {semester}{year}"


def _grades(data: DataSet) -> list[dict[str, Any]]:
    grades = []
    for p in data.pupils:
        values = GRADES_NINE if p.year_group == 9 else GRADES_SIX
        for subject, value in values.items():
            name = grade_name(p.name, subject, "HT", data.year)
            grades.append(
                grade(name, p.name, p.unit, subject, value, semester="HT", year=data.year)
            )
    grades.append(
        grade(
            grade_name("Ida", "MLARA", "HT", data.year),
            "Ida",
            "Åsskolan",
            "MLARA",
            "A",
            semester="HT",
            year=data.year,
        )
    )
    grades.append(  # last year's spring term, when Karl was in year 8
        grade(
            grade_name("Karl", "MA", "VT", data.year),
            "Karl",
            "Åsskolan",
            "MA",
            "E",
            semester="VT",
            year=data.year,
        )
    )
    grades.append(  # a subject Skolkvalitet does not follow
        grade(
            grade_name("Nils", "EV", "HT", data.year),
            "Nils",
            "Åsskolan",
            "EV",
            "B",
            semester="HT",
            year=data.year,
        )
    )
    return grades


def _absences(data: DataSet) -> list[dict[str, Any]]:
    return [
        {
            "id": uid("absence Maja"),
            "meta": meta(),
            "student": ref("Maja"),
            "organisation": ref("Åsskolan"),
            "type": "Anmäld frånvaro",
            "startTime": f"{data.year}-10-06T08:00:00+02:00",
            "endTime": f"{data.year}-10-06T16:00:00+02:00",
            "registeredBy": ref("Vera"),
        },
        {
            "id": uid("absence Nils"),
            "meta": meta(),
            "student": ref("Nils"),
            "organisation": ref("Åsskolan"),
            "type": "Beviljad ledighet",
            "startTime": f"{data.year}-11-03T08:00:00+01:00",
            "endTime": f"{data.year}-11-07T16:00:00+01:00",
        },
    ]


def attendance_minutes(index: int, term: str) -> tuple[int, int, int]:
    """(attended, valid absence, invalid absence) minutes per activity and calendar month for
    the pupil with this index, in a term: different for every pupil, so the sums are
    checkable."""
    base = 1200 if term == "HT" else 900
    return base - 40 * index, 30 * index, 10 * (index % 3)


def _attendance(data: DataSet) -> list[tuple[str, dt.date, dt.date, dict[str, Any]]]:
    """One record per pupil, activity and calendar month of each term (the server answers a
    request with the records inside its dates)."""
    records = []
    for term, (first, last) in term_dates(data.year).items():
        for start, end in month_periods(first, last):
            for index, p in enumerate(data.pupils):
                attended, valid, invalid = attendance_minutes(index, term)
                for activity in ("MA", "SV"):
                    record = {
                        "activity": ref(f"activity {p.klass} {activity}"),
                        "student": ref(p.name),
                        "startDate": start.isoformat(),
                        "endDate": end.isoformat(),
                        "attendanceSum": attended,
                        "validAbsenceSum": valid,
                        "invalidAbsenceSum": invalid,
                        "otherAttendanceSum": 0,
                        "reportedSum": attended + valid + invalid,
                        "offeredSum": attended + valid + invalid,
                    }
                    records.append((uid(p.unit), start, end, record))
    return records
