"""Write the generated demo organiser into the database, in one transaction, once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from skolkvalitet.batches.bulk import bulk_insert
from skolkvalitet.batches.models import ImportBatch
from skolkvalitet.demo import catalogue as cat
from skolkvalitet.demo.generator import FS, GY, DemoData, generate
from skolkvalitet.indicators.materialise import indicators_materialise
from skolkvalitet.organisation.actions import node_create, role_grant
from skolkvalitet.organisation.identity import parse_personal_number, pseudonym_for
from skolkvalitet.organisation.models import (
    AcademicYear,
    FollowUpPoint,
    Node,
    NodeKind,
    OrganiserType,
    Pupil,
    Role,
    StaffMember,
    Term,
)
from skolkvalitet.quality.models import Intervention
from skolkvalitet.reference.imports import nation_import
from skolkvalitet.results.models import AssessmentScale, Subject

DEMO_VERSION = 1
DEMO_PASSWORD = "skolkvalitet-demo"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role: str
    node_name: str


# username, given name, family name, role, the node's key (unit key, area name, "organizer",
# or "unit/group" for a group in the running year).
DEMO_USERS = (
    ("forvaltning", "Eva", "Lind", Role.ORGANIZER_ADMIN, "organizer"),
    ("analytiker", "Jonas", "Berg", Role.ANALYST, "organizer"),
    ("rektor", "Leila", "Haddad", Role.UNIT_HEAD, "hamn"),
    ("larare", "Per", "Ek", Role.TEACHER, "hamn/9A"),
    ("namnd", "Birgitta", "Holm", Role.BOARD, "organizer"),
    ("coach", "Karin", "Sandberg", Role.COACH, cat.AREAS[2]),
)


@dataclass
class BuildResult:
    built: bool
    batch: ImportBatch
    logins: list[DemoLogin]
    counts: dict[str, int]


def _source_name(seed: int, scale: float) -> str:
    return f"{cat.MUNICIPALITY_NAME} (demo v{DEMO_VERSION}, seed {seed}, scale {scale:g})"


def demo_build(
    *, seed: int = 20261123, scale: float = 1.0, progress: Callable[[str], None] | None = None
) -> BuildResult:
    """Build the demo organiser unless this very demo is already in the database.

    Idempotent: a second call with the same seed and scale changes nothing. A database that
    holds another organiser is left alone (ValueError)."""
    say = progress or (lambda message: None)
    source = _source_name(seed, scale)
    existing = ImportBatch.objects.filter(kind="demo", source_name=source).first()
    if existing:
        return BuildResult(False, existing, _logins(), {})
    if Node.objects.filter(kind=NodeKind.ORGANIZER).exists():
        raise ValueError(
            "The database already holds an organiser; the demo needs an empty database "
            "(delete ./var/skolkvalitet.sqlite3 or point DATABASE_URL elsewhere)."
        )
    say("Genererar data …")
    data = generate(seed=seed, scale=scale)
    with transaction.atomic():
        batch = ImportBatch.objects.create(kind="demo", source_name=source)
        counts = _write(data, batch, say)
        batch.rows = sum(counts.values())
        batch.save(update_fields=["rows"])
    say("Indikatorer …")
    counts["indicator_values"] = indicators_materialise().rows
    say("Rikets publicerade värden …")
    counts["nation_values"] = nation_import().rows
    return BuildResult(True, batch, _logins(), counts)


def _logins() -> list[DemoLogin]:
    users = get_user_model().objects.filter(username__in=[u[0] for u in DEMO_USERS])
    by_name = {u.username: u for u in users}
    out = []
    for username, *_rest, role, _key in DEMO_USERS:
        user = by_name.get(username)
        if user is None:
            continue
        assignment = user.role_assignments.select_related("node").first()
        out.append(
            DemoLogin(username, user.get_full_name(), Role(role).label, assignment.node.name)
        )
    return out


def _write(data: DemoData, batch: ImportBatch, say) -> dict[str, int]:
    counts: dict[str, int] = {}
    say("Läsår, terminer och uppföljningstillfällen …")
    years, terms, points = _calendar(data)
    say("Organisation …")
    unit_ids, group_ids, organizer, areas = _organisation(data, years)
    say("Elever …")
    pupil_ids = _pupils(data)
    counts["pupils"] = len(pupil_ids)
    counts["enrolments"] = _enrolments(data, pupil_ids, unit_ids, group_ids, years)
    subject = dict(Subject.objects.values_list("code", "pk"))
    scale = dict(AssessmentScale.objects.values_list("code", "pk"))
    b = batch.pk

    say("Betyg …")
    g = data.grades
    counts["grades"] = bulk_insert(
        "results_grade",
        (
            "pupil_id",
            "unit_id",
            "term_id",
            "year_group",
            "subject_id",
            "value",
            "grade_type",
            "language",
            "batch_id",
        ),
        zip(
            pupil_ids[g["pupil"]].tolist(),
            unit_ids[g["unit"]].tolist(),
            terms[g["term"]].tolist(),
            g["year_group"].tolist(),
            [subject[s] for s in g["subject"].tolist()],
            g["value"].tolist(),
            g["grade_type"].tolist(),
            g["language"].tolist(),
            _same(b, g),
            strict=True,
        ),
    )
    say("Bedömningar …")
    a = data.assessments
    counts["assessments"] = bulk_insert(
        "results_assessment",
        (
            "pupil_id",
            "unit_id",
            "follow_up_point_id",
            "year_group",
            "subject_id",
            "scale_id",
            "value",
            "batch_id",
        ),
        zip(
            pupil_ids[a["pupil"]].tolist(),
            unit_ids[a["unit"]].tolist(),
            points[a["point"]].tolist(),
            a["year_group"].tolist(),
            [subject[s] for s in a["subject"].tolist()],
            [scale[s] for s in a["scale"].tolist()],
            a["value"].tolist(),
            _same(b, a),
            strict=True,
        ),
    )
    say("Nationella prov, frånvaro, enkäter, personal …")
    t = data.national_tests
    counts["national_tests"] = bulk_insert(
        "results_nationaltest",
        (
            "pupil_id",
            "unit_id",
            "term_id",
            "year_group",
            "subject_id",
            "scale",
            "value",
            "batch_id",
        ),
        zip(
            pupil_ids[t["pupil"]].tolist(),
            unit_ids[t["unit"]].tolist(),
            terms[t["term"]].tolist(),
            t["year_group"].tolist(),
            [subject[s] for s in t["subject"].tolist()],
            t["scale"].tolist(),
            t["value"].tolist(),
            _same(b, t),
            strict=True,
        ),
    )
    ab = data.absences
    counts["absences"] = bulk_insert(
        "results_absence",
        (
            "pupil_id",
            "unit_id",
            "term_id",
            "year_group",
            "scheduled_minutes",
            "absent_minutes",
            "unexcused_minutes",
            "batch_id",
        ),
        zip(
            pupil_ids[ab["pupil"]].tolist(),
            unit_ids[ab["unit"]].tolist(),
            terms[ab["term"]].tolist(),
            ab["year_group"].tolist(),
            ab["scheduled"].tolist(),
            ab["absent"].tolist(),
            ab["unexcused"].tolist(),
            _same(b, ab),
            strict=True,
        ),
    )
    s = data.surveys
    counts["surveys"] = bulk_insert(
        "results_surveyresult",
        (
            "unit_id",
            "academic_year_id",
            "survey",
            "index",
            "respondent_group",
            "invited",
            "respondents",
            "agreeing",
            "batch_id",
        ),
        zip(
            unit_ids[s["unit"]].tolist(),
            years[s["year"]].tolist(),
            s["survey"].tolist(),
            s["index"].tolist(),
            s["respondent_group"].tolist(),
            s["invited"].tolist(),
            s["respondents"].tolist(),
            s["agreeing"].tolist(),
            _same(b, s),
            strict=True,
        ),
    )
    counts.update(_staff(data, unit_ids, years, subject, b))
    pf = data.preschool_facts
    counts["preschool_facts"] = bulk_insert(
        "results_preschoolgroupfact",
        (
            "unit_id",
            "group_id",
            "academic_year_id",
            "counted_on",
            "children",
            "staff_fte",
            "preschool_teacher_fte",
            "batch_id",
        ),
        zip(
            unit_ids[pf["unit"]].tolist(),
            group_ids[pf["group"]].tolist(),
            years[pf["year"]].tolist(),
            pf["counted_on"].tolist(),
            pf["children"].tolist(),
            pf["staff_fte"].tolist(),
            pf["preschool_teacher_fte"].tolist(),
            _same(b, pf),
            strict=True,
        ),
    )
    _interventions(data, unit_ids, terms, subject)
    _users(data, organizer, areas, unit_ids, group_ids)
    return counts


def _same(value, table) -> list:
    return [value] * len(next(iter(table.values())))


def _calendar(data: DemoData):
    year_ids, term_ids, point_ids = [], [], []
    for y in data.years:
        year, _ = AcademicYear.objects.get_or_create(
            code=y.code, defaults={"start_date": y.start, "end_date": y.end}
        )
        year_ids.append(year.pk)
        for t in y.terms:
            term, _ = Term.objects.get_or_create(
                academic_year=year,
                kind=t.kind,
                defaults={"start_date": t.start, "end_date": t.end},
            )
            term_ids.append(term.pk)
            for p in t.points:
                point, _ = FollowUpPoint.objects.get_or_create(
                    term=term,
                    ordinal=p.ordinal,
                    defaults={"name": p.name, "assessed_on": p.assessed_on, "deadline": p.deadline},
                )
                point_ids.append(point.pk)
    return np.array(year_ids), np.array(term_ids), np.array(point_ids)


def _organisation(data: DemoData, years: np.ndarray):
    organizer = node_create(
        kind=NodeKind.ORGANIZER,
        name=cat.ORGANIZER_NAME,
        code=cat.MUNICIPALITY_CODE,
        municipality_code=cat.MUNICIPALITY_CODE,
        organiser_type=OrganiserType.MUNICIPAL,
    )
    areas = {
        name: node_create(kind=NodeKind.AREA, name=name, parent=organizer) for name in cat.AREAS
    }
    forms = {
        "preschool": ["FS"],
        "f6": ["FKLASS", "GR", "FTH"],
        "f9": ["FKLASS", "GR", "FTH"],
        "s79": ["GR"],
        "gy": ["GY"],
    }
    year_groups = {
        "preschool": [],
        "f6": list(range(0, 7)),
        "f9": list(range(0, 10)),
        "s79": [7, 8, 9],
        "gy": [1, 2, 3],
    }
    units = [
        node_create(
            kind=NodeKind.UNIT,
            name=u.name,
            parent=areas[u.area],
            code=u.code,
            municipality_code=cat.MUNICIPALITY_CODE,
            school_forms=forms[u.kind],
            year_groups=year_groups[u.kind],
        )
        for u in data.units
    ]
    unit_ids = np.array([u.pk for u in units])
    g = data.groups
    new_groups = Node.objects.bulk_create(
        [
            Node(
                kind=NodeKind.GROUP,
                parent=units[u],
                path="",
                name=name,
                code=name,
                academic_year_id=int(years[y]),
                school_form=form,
                year_group=None if yg < 0 else int(yg),
            )
            for u, y, name, form, yg in zip(
                g["unit"].tolist(),
                g["year"].tolist(),
                g["name"].tolist(),
                g["school_form"].tolist(),
                g["year_group"].tolist(),
                strict=True,
            )
        ]
    )
    for node in new_groups:
        node.path = f"{units[list(unit_ids).index(node.parent_id)].path}{node.pk}/"
    Node.objects.bulk_update(new_groups, ["path"], batch_size=2000)
    group_ids = np.array([n.pk for n in new_groups] + [0])  # index -1 → 0 (no group)
    return unit_ids, group_ids, organizer, areas


def _pupils(data: DemoData) -> np.ndarray:
    p = data.pupils
    key_rows = []
    for i in range(len(p["id"])):
        number = parse_personal_number(p["personal_number"][i], today=cat.TODAY)
        arrival = p["arrival_date"][i]
        mean = p["parents_mean"][i]
        abroad = int(p["parents_born_abroad"][i])
        key_rows.append(
            Pupil(
                pseudonym=pseudonym_for(number),
                given_name=str(p["given_name"][i]),
                family_name=str(p["family_name"][i]),
                birth_year=number.birth_year,
                legal_gender=number.legal_gender,
                coordination_number=number.is_coordination_number,
                arrival_date=None if np.isnat(arrival) else arrival.astype(dt.date),
                born_abroad=bool(p["born_abroad"][i]),
                parents_born_abroad=None if abroad < 0 else bool(abroad),
                parents_highest_education=int(p["parents_highest"][i]) or None,
                parents_mean_education=None if np.isnan(mean) else float(mean),
            )
        )
    created = Pupil.objects.bulk_create(key_rows, batch_size=5000)
    return np.array([row.pk for row in created])


def _enrolments(data, pupil_ids, unit_ids, group_ids, years) -> int:
    e, p = data.enrolments, data.pupils
    pid = e["pupil"]
    form = np.where(
        e["stage"] == FS,
        "FS",
        np.where(e["stage"] == GY, "GY", np.where(e["step"] == 0, "FKLASS", "GR")),
    )
    year_group = np.where(e["stage"] == FS, -1, e["step"])
    # Special support: the weakest pupils, most of them, in years 1–9.
    support = (p["ability"][pid] < -1.3) & (e["stage"] != FS)
    return bulk_insert(
        "organisation_enrolment",
        (
            "pupil_id",
            "academic_year_id",
            "unit_id",
            "group_id",
            "school_form",
            "year_group",
            "reads_sva",
            "special_support",
        ),
        zip(
            pupil_ids[pid].tolist(),
            years[e["year"]].tolist(),
            unit_ids[e["unit"]].tolist(),
            [g or None for g in group_ids[e["group"]].tolist()],
            form.tolist(),
            [None if yg < 0 else yg for yg in year_group.tolist()],
            (p["sva"][pid] & (e["stage"] != FS)).tolist(),
            support.tolist(),
            strict=True,
        ),
    )


def _staff(data, unit_ids, years, subject, batch_id) -> dict[str, int]:
    st = data.staff
    members = StaffMember.objects.bulk_create(
        [
            StaffMember(
                pseudonym=pseudonym_for(parse_personal_number(number, today=cat.TODAY)),
                given_name=given,
                family_name=family,
                has_teacher_certification=bool(certified),
            )
            for number, given, family, certified in zip(
                st["personal_number"].tolist(),
                st["given_name"].tolist(),
                st["family_name"].tolist(),
                st["certified"].tolist(),
                strict=True,
            )
        ],
        batch_size=5000,
    )
    staff_ids = np.array([m.pk for m in members])
    c, e, f = data.certifications, data.employments, data.staff_facts
    counts = {"staff": len(members)}
    counts["certifications"] = bulk_insert(
        "organisation_staffcertification",
        ("staff_id", "subject_id", "school_form", "year_from", "year_to"),
        zip(
            staff_ids[c["staff"]].tolist(),
            [subject[s] for s in c["subject"].tolist()],
            c["school_form"].tolist(),
            c["year_from"].tolist(),
            c["year_to"].tolist(),
            strict=True,
        ),
    )
    counts["employments"] = bulk_insert(
        "organisation_staffemployment",
        ("staff_id", "unit_id", "academic_year_id", "role", "fte"),
        zip(
            staff_ids[e["staff"]].tolist(),
            unit_ids[e["unit"]].tolist(),
            years[e["year"]].tolist(),
            e["role"].tolist(),
            e["fte"].tolist(),
            strict=True,
        ),
    )
    counts["staff_facts"] = bulk_insert(
        "results_unitstafffact",
        (
            "unit_id",
            "academic_year_id",
            "teachers",
            "teacher_fte",
            "certified_teacher_fte",
            "pupils",
            "batch_id",
        ),
        zip(
            unit_ids[f["unit"]].tolist(),
            years[f["year"]].tolist(),
            f["teachers"].tolist(),
            np.round(f["teacher_fte"], 2).tolist(),
            np.round(f["certified_fte"], 2).tolist(),
            f["pupils"].tolist(),
            [batch_id] * len(f["unit"]),
            strict=True,
        ),
    )
    return counts


def _interventions(data, unit_ids, terms, subject) -> None:
    index = {u.key: i for i, u in enumerate(data.units)}
    term_index = {t.code: t.index for t in data.terms}
    for iv in cat.INTERVENTIONS:
        intervention = Intervention.objects.create(
            name=iv.name,
            description=iv.description,
            starts_id=int(terms[term_index[iv.start_term]]),
            year_groups=list(iv.year_groups),
        )
        intervention.units.set([int(unit_ids[index[k]]) for k in iv.units])
        intervention.subjects.set([subject[s] for s in iv.subjects])


def _users(data, organizer, areas, unit_ids, group_ids) -> None:
    User = get_user_model()
    index = {u.key: i for i, u in enumerate(data.units)}
    # Every demo login has the same (published) password: hash it once, not six times.
    password_hash = make_password(DEMO_PASSWORD)
    running_year = AcademicYear.objects.get(code=data.years[-1].code)
    today = timezone.localdate()
    for username, given, family, role, key in DEMO_USERS:
        if key == "organizer":
            node = organizer
        elif key in areas:
            node = areas[key]
        elif "/" in key:
            unit_key, group_name = key.split("/")
            node = Node.objects.get(
                parent_id=int(unit_ids[index[unit_key]]),
                academic_year=running_year,
                name=group_name,
            )
        else:
            node = Node.objects.get(pk=int(unit_ids[index[key]]))
        user, _ = User.objects.get_or_create(
            username=username, defaults={"first_name": given, "last_name": family}
        )
        user.password = password_hash
        user.save()
        valid_until = today + dt.timedelta(days=180) if role == Role.COACH else None
        role_grant(user=user, node=node, role=role, valid_until=valid_until)
