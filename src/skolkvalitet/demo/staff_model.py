"""Staff, staff facts, preschool facts and survey results of the demo organiser."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from skolkvalitet.demo import catalogue as cat
from skolkvalitet.demo.generator import FS, GR, GY, DemoData, _expit
from skolkvalitet.organisation.identity import make_personal_number

PUPILS_PER_TEACHER_FTE = 12.0
CHILDREN_PER_STAFF_FTE = 5.2
PRESCHOOL_TEACHER_SHARE = 0.42
STAFF_TURNOVER = 0.10
TEACHER_SUBJECTS = {
    "f6": ("SV", "MA", "EN", "BI", "GE", "HI", "BL", "MU", "IDH", "SL"),
    "f9": ("SV", "MA", "EN", "BI", "FY", "KE", "GE", "HI", "SH", "RE", "M1", "IDH", "BL"),
    "s79": (
        "SV",
        "SVA",
        "MA",
        "EN",
        "BI",
        "FY",
        "KE",
        "TK",
        "GE",
        "HI",
        "SH",
        "RE",
        "M1",
        "HKK",
        "IDH",
        "MU",
        "SL",
        "BL",
    ),
    "gy": ("SV", "MA", "EN", "BI", "FY", "KE", "HI", "SH", "RE"),
}
# Pupil survey indices: key, base log-odds of agreeing.
PUPIL_INDICES = (("safety", 2.0), ("study_calm", 0.6), ("stimulation", 0.4), ("support", 1.4))
GUARDIAN_INDICES = (("safety", 2.6), ("development", 1.9), ("satisfaction", 2.1))


def simulate_staff_and_surveys(data: DemoData, rng) -> None:
    _staff(data, rng)
    _preschool_facts(data, rng)
    _surveys(data, rng)


def _enrolled(data: DemoData, year: int, unit: int) -> np.ndarray:
    e = data.enrolments
    return (e["year"] == year) & (e["unit"] == unit)


def _staff(data: DemoData, rng) -> None:
    staff: dict[str, list[Any]] = {
        "personal_number": [],
        "given_name": [],
        "family_name": [],
        "certified": [],
    }
    cert: dict[str, list[Any]] = {
        "staff": [],
        "subject": [],
        "school_form": [],
        "year_from": [],
        "year_to": [],
    }
    emp: dict[str, list[Any]] = {"staff": [], "unit": [], "year": [], "role": [], "fte": []}
    facts: dict[str, list[Any]] = {
        "unit": [],
        "year": [],
        "teachers": [],
        "teacher_fte": [],
        "certified_fte": [],
        "pupils": [],
    }
    numbers: set[str] = set()

    def hire(unit: cat.UnitDef, role: str, certified: bool) -> int:
        while True:
            born = dt.date(int(rng.integers(1960, 1999)), 1, 1) + dt.timedelta(
                int(rng.integers(0, 365))
            )
            number = make_personal_number(born, int(rng.integers(0, 1000)))
            if number not in numbers:
                numbers.add(number)
                break
        girl = int(number[-2]) % 2 == 0
        staff["personal_number"].append(number)
        names = cat.GIVEN_NAMES_F if girl else cat.GIVEN_NAMES_M
        staff["given_name"].append(str(rng.choice(names)))
        staff["family_name"].append(str(rng.choice(cat.FAMILY_NAMES)))
        staff["certified"].append(certified)
        sid = len(staff["certified"]) - 1
        if certified and role == "teacher":
            form, lo, hi = {
                "f6": ("GR", 0, 6),
                "f9": ("GR", 7, 9),
                "s79": ("GR", 7, 9),
                "gy": ("GY", 1, 3),
            }[unit.kind]
            for subject in rng.choice(TEACHER_SUBJECTS[unit.kind], 2, replace=False):
                for col, value in (
                    ("staff", sid),
                    ("subject", str(subject)),
                    ("school_form", form),
                    ("year_from", lo),
                    ("year_to", hi),
                ):
                    cert[col].append(value)
        return sid

    for u_index, unit in enumerate(data.units):
        pool: dict[str, list[int]] = {}
        for year in data.years:
            pupils = int(_enrolled(data, year.index, u_index).sum())
            if unit.kind == "preschool":
                needed = {
                    "preschool_teacher": pupils / CHILDREN_PER_STAFF_FTE * PRESCHOOL_TEACHER_SHARE,
                    "childminder": pupils / CHILDREN_PER_STAFF_FTE * (1 - PRESCHOOL_TEACHER_SHARE),
                }
            else:
                needed = {"teacher": pupils / PUPILS_PER_TEACHER_FTE}
            needed["head"] = 1.0
            teacher_fte = certified_fte = 0.0
            teachers = 0
            for role, fte_needed in needed.items():
                kept = [s for s in pool.get(role, []) if rng.random() > STAFF_TURNOVER]
                ftes = [float(rng.choice([1.0, 1.0, 1.0, 0.8, 0.75, 0.5])) for _ in kept]
                while sum(ftes) < fte_needed - 0.25:
                    share = unit.certified_share + 0.01 * year.index
                    certified = role == "head" or (role != "childminder" and rng.random() < share)
                    kept.append(hire(unit, role, certified))
                    ftes.append(float(rng.choice([1.0, 1.0, 1.0, 0.8, 0.75, 0.5])))
                if role == "head":
                    kept, ftes = kept[:1], [1.0]
                pool[role] = kept
                for sid, fte in zip(kept, ftes, strict=True):
                    for col, value in (
                        ("staff", sid),
                        ("unit", u_index),
                        ("year", year.index),
                        ("role", role),
                        ("fte", fte),
                    ):
                        emp[col].append(value)
                    if role == "teacher":
                        teachers += 1
                        teacher_fte += fte
                        certified_fte += fte if staff["certified"][sid] else 0.0
            if unit.kind != "preschool":
                for col, value in (
                    ("unit", u_index),
                    ("year", year.index),
                    ("teachers", teachers),
                    ("teacher_fte", teacher_fte),
                    ("certified_fte", certified_fte),
                    ("pupils", pupils),
                ):
                    facts[col].append(value)
    data.staff = {k: np.array(v) for k, v in staff.items()}
    data.certifications = {k: np.array(v) for k, v in cert.items()}
    data.employments = {k: np.array(v) for k, v in emp.items()}
    data.staff_facts = {k: np.array(v) for k, v in facts.items()}


def _preschool_facts(data: DemoData, rng) -> None:
    g, e = data.groups, data.enrolments
    out: dict[str, list[Any]] = {
        "unit": [],
        "group": [],
        "year": [],
        "counted_on": [],
        "children": [],
        "staff_fte": [],
        "preschool_teacher_fte": [],
    }
    children = np.bincount(e["group"][e["group"] >= 0], minlength=len(g["unit"]))
    for gid in np.nonzero(g["school_form"] == "FS")[0]:
        year = data.years[g["year"][gid]]
        n = int(children[gid])
        staff_fte = round(max(1.0, n / CHILDREN_PER_STAFF_FTE * rng.normal(1.0, 0.08)) * 4) / 4
        teacher_fte = (
            round(staff_fte * np.clip(rng.normal(PRESCHOOL_TEACHER_SHARE, 0.1), 0.1, 0.9) * 4) / 4
        )
        for col, value in (
            ("unit", g["unit"][gid]),
            ("group", gid),
            ("year", year.index),
            ("counted_on", dt.date(year.start_year, 10, 15)),
            ("children", n),
            ("staff_fte", staff_fte),
            ("preschool_teacher_fte", teacher_fte),
        ):
            out[col].append(value)
    data.preschool_facts = {k: np.array(v) for k, v in out.items()}


def _surveys(data: DemoData, rng) -> None:
    e = data.enrolments
    out: dict[str, list[Any]] = {
        "unit": [],
        "year": [],
        "survey": [],
        "index": [],
        "respondent_group": [],
        "invited": [],
        "respondents": [],
        "agreeing": [],
    }

    def add(u_index, year, survey, group_label, invited, indices, unit):
        respondents = int(rng.binomial(invited, 0.8))
        for key, base in indices:
            p = _expit(base + 1.5 * unit.effect + 0.3 * unit.ses + rng.normal(0, 0.15))
            for col, value in (
                ("unit", u_index),
                ("year", year.index),
                ("survey", survey),
                ("index", key),
                ("respondent_group", group_label),
                ("invited", invited),
                ("respondents", respondents),
                ("agreeing", int(rng.binomial(respondents, p))),
            ):
                out[col].append(value)

    for year in data.years:
        if year.terms[1].end > cat.TODAY:
            continue  # surveys are answered in spring
        for u_index, unit in enumerate(data.units):
            at = _enrolled(data, year.index, u_index)
            if unit.kind == "preschool":
                invited = int((at & (e["stage"] == FS)).sum())
                add(u_index, year, "guardian_preschool", "", invited, GUARDIAN_INDICES, unit)
                continue
            for stage, yg, label in ((GR, 5, "åk 5"), (GR, 8, "åk 8"), (GY, 2, "år 2")):
                invited = int((at & (e["stage"] == stage) & (e["step"] == yg)).sum())
                if invited:
                    add(u_index, year, "pupil", label, invited, PUPIL_INDICES, unit)
    data.surveys = {k: np.array(v) for k, v in out.items()}
