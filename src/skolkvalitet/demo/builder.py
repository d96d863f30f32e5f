"""Write the generated demo organiser into the database, in one transaction, once."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from skolkvalitet.batches.bulk import bulk_insert
from skolkvalitet.batches.models import ImportBatch
from skolkvalitet.demo import catalogue as cat
from skolkvalitet.demo.cycle import cycle_build
from skolkvalitet.demo.generator import FS, GY, DemoData, generate
from skolkvalitet.demo.organiser_report import organiser_report_build
from skolkvalitet.demo.practices import practices_build
from skolkvalitet.indicators.materialise import indicators_materialise
from skolkvalitet.ingest.writing import tables
from skolkvalitet.ingest.writing.tables import StoredTable
from skolkvalitet.ingest.writing.writer import BatchWriter
from skolkvalitet.organisation.actions import role_grant
from skolkvalitet.organisation.identity import (
    PersonalNumber,
    parse_personal_number,
    pseudonym_for,
)
from skolkvalitet.organisation.models import (
    AcademicYear,
    FollowUpPoint,
    Node,
    NodeKind,
    OrganiserType,
    Role,
    StaffMember,
    Term,
)
from skolkvalitet.organisation.roles import ROLE_SPECS, Capability, role_can
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


# username, given name, family name, role, the node's key (unit key, area name, "organiser",
# or "unit/group" for a group in the running year).
# The förvaltning's login: reviews the units' reports and dialogues in the demo's cycle.
REVIEWER = "forvaltning"
DEMO_USERS = (
    ("forvaltning", "Eva", "Lind", Role.ORGANISER_ADMIN, "organiser"),
    ("analytiker", "Jonas", "Berg", Role.ANALYST, "organiser"),
    ("rektor", "Leila", "Haddad", Role.UNIT_HEAD, "hamn"),
    ("larare", "Per", "Ek", Role.TEACHER, "hamn/9A"),
    ("namnd", "Birgitta", "Holm", Role.BOARD, "organiser"),
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
    if Node.objects.filter(kind=NodeKind.ORGANISER).exists():
        raise ValueError(
            "The database already holds an organiser; the demo needs an empty database "
            "(delete ./var/skolkvalitet.sqlite3 or point DATABASE_URL elsewhere)."
        )
    say("Genererar data …")
    data = generate(seed=seed, scale=scale)
    with transaction.atomic():
        writer = BatchWriter(kind="demo", source_name=source)
        batch = writer.batch
        counts, heads = _write(data, writer, say)
        writer.batch_rows_set(sum(counts.values()))
        writer.finish()
    say("Indikatorer …")
    counts["indicator_values"] = indicators_materialise().rows
    say("Rikets publicerade värden …")
    counts["nation_values"] = nation_import().rows
    say("Mål, kvalitetsrapporter och resultatdialoger …")
    with transaction.atomic():
        reviewer = User.objects.get(username=REVIEWER)
        cycle = cycle_build(today=cat.TODAY, seed=seed, heads=heads, reviewer=reviewer)
        counts["shared_practices"] = practices_build(today=cat.TODAY, heads=heads)
        counts["organiser_reports"] = organiser_report_build(
            today=cat.TODAY, writer="analytiker", approver=REVIEWER
        )
    counts.update(
        targets=cycle.targets,
        quality_reports=cycle.reports,
        dialogues=cycle.dialogues,
        plans=cycle.plans,
    )
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
        assert assignment is not None, "the builder gives every demo user a role"
        out.append(
            DemoLogin(username, user.get_full_name(), str(Role(role).label), assignment.node.name)
        )
    return out


def _write(data: DemoData, writer: BatchWriter, say) -> tuple[dict[str, int], dict[int, User]]:
    """The demo's organisation, pupils and facts, through the import's write path."""
    counts: dict[str, int] = {}
    say("Läsår, terminer och uppföljningstillfällen …")
    years, terms, points = _calendar(data)
    say("Organisation …")
    unit_ids, group_ids, organiser, areas = _organisation(data, years, writer)
    say("Elever …")
    pupil_ids = _pupils(data, writer)
    counts["pupils"] = len(pupil_ids)
    counts["enrolments"] = _enrolments(data, pupil_ids, unit_ids, group_ids, years, writer)
    subject = dict(Subject.objects.values_list("code", "pk"))
    counts.update(
        _pupil_facts(data, writer, pupil_ids, unit_ids, group_ids, years, terms, points, say)
    )
    counts.update(_staff(data, unit_ids, years, subject, writer))
    _interventions(data, unit_ids, terms, subject)
    heads = _users(data, organiser, areas, unit_ids, group_ids)
    counts["unit_heads"] = len(heads)
    return counts, heads


def _pupil_facts(
    data: DemoData, writer: BatchWriter, pupil_ids, unit_ids, group_ids, years, terms, points, say
) -> dict[str, int]:
    """The facts the indicators read but the staff's: grades, assessments, national tests,
    absence, surveys and preschool groups."""
    counts: dict[str, int] = {}
    subject = dict(Subject.objects.values_list("code", "pk"))
    scale = dict(AssessmentScale.objects.values_list("code", "pk"))

    say("Betyg …")
    g = data.grades
    counts["grades"] = _facts(
        writer,
        tables.GRADES,
        pupil_id=pupil_ids[g["pupil"]],
        unit_id=unit_ids[g["unit"]],
        term_id=terms[g["term"]],
        year_group=g["year_group"],
        subject_id=[subject[s] for s in g["subject"].tolist()],
        value=g["value"],
        grade_type=g["grade_type"],
        language=g["language"],
    )
    say("Bedömningar …")
    a = data.assessments
    counts["assessments"] = _facts(
        writer,
        tables.ASSESSMENTS,
        pupil_id=pupil_ids[a["pupil"]],
        unit_id=unit_ids[a["unit"]],
        follow_up_point_id=points[a["point"]],
        year_group=a["year_group"],
        subject_id=[subject[s] for s in a["subject"].tolist()],
        scale_id=[scale[s] for s in a["scale"].tolist()],
        value=a["value"],
    )
    say("Nationella prov, frånvaro, enkäter, personal …")
    t = data.national_tests
    counts["national_tests"] = _facts(
        writer,
        tables.NATIONAL_TESTS,
        pupil_id=pupil_ids[t["pupil"]],
        unit_id=unit_ids[t["unit"]],
        term_id=terms[t["term"]],
        year_group=t["year_group"],
        subject_id=[subject[s] for s in t["subject"].tolist()],
        scale=t["scale"],
        value=t["value"],
    )
    ab = data.absence_periods  # per calendar month (demo/absence_periods.py)
    counts["absences"] = _facts(
        writer,
        tables.ABSENCE,
        pupil_id=pupil_ids[ab["pupil"]],
        unit_id=unit_ids[ab["unit"]],
        term_id=terms[ab["term"]],
        starts_on=ab["starts_on"].astype(object),
        ends_on=ab["ends_on"].astype(object),
        year_group=ab["year_group"],
        scheduled_minutes=ab["scheduled"],
        absent_minutes=ab["absent"],
        unexcused_minutes=ab["unexcused"],
    )
    s = data.surveys
    counts["surveys"] = _facts(
        writer,
        tables.SURVEYS,
        unit_id=unit_ids[s["unit"]],
        academic_year_id=years[s["year"]],
        survey=s["survey"],
        index=s["index"],
        respondent_group=s["respondent_group"],
        invited=s["invited"],
        respondents=s["respondents"],
        agreeing=s["agreeing"],
    )
    pf = data.preschool_facts
    counts["preschool_facts"] = _facts(
        writer,
        tables.PRESCHOOL,
        unit_id=unit_ids[pf["unit"]],
        group_id=group_ids[pf["group"]],
        academic_year_id=years[pf["year"]],
        counted_on=pf["counted_on"],
        children=pf["children"],
        staff_fte=pf["staff_fte"],
        preschool_teacher_fte=pf["preschool_teacher_fte"],
    )
    return counts


def _facts(writer: BatchWriter, table: StoredTable, **columns) -> int:
    """Columns (numpy arrays or lists, one per field of `table`) written as its rows."""
    frame = pl.DataFrame(
        {name: pl.Series(name, _listed(values)) for name, values in columns.items()}
    )
    return writer.rows_replace(table, frame).inserted


def _listed(values) -> list:
    return values.tolist() if isinstance(values, np.ndarray) else list(values)


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


def _organisation(
    data: DemoData,
    years: np.ndarray,
    writer: BatchWriter,
    *,
    name: str = cat.ORGANISER_NAME,
    code: str = cat.MUNICIPALITY_CODE,
    municipality_code: str = cat.MUNICIPALITY_CODE,
    unit_code: Callable[[str], str] = str,
):
    """The organiser (the demo's, or a tenant's with its own name and codes: `unit_code`
    turns a generated skolenhetskod into the one written), its areas, units and groups."""
    organiser = writer.node_create(
        kind=NodeKind.ORGANISER,
        name=name,
        code=code,
        municipality_code=municipality_code,
        organiser_type=OrganiserType.MUNICIPAL,
    )
    areas = {
        name: writer.node_create(kind=NodeKind.AREA, name=name, parent=organiser)
        for name in cat.AREAS
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
        writer.node_create(
            kind=NodeKind.UNIT,
            name=u.name,
            parent=areas[u.area],
            code=unit_code(u.code),
            municipality_code=municipality_code,
            school_forms=forms[u.kind],
            year_groups=year_groups[u.kind],
        )
        for u in data.units
    ]
    unit_ids = np.array([u.pk for u in units])
    g = data.groups
    new_groups = [
        writer.node_create(
            kind=NodeKind.GROUP,
            parent=units[u],
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
    group_ids = np.array([n.pk for n in new_groups] + [0])  # index -1 → 0 (no group)
    return unit_ids, group_ids, organiser, areas


def _pupils(
    data: DemoData, writer: BatchWriter, pseudonym: Callable[[PersonalNumber], str] = pseudonym_for
) -> np.ndarray:
    p = data.pupils
    numbers = [parse_personal_number(n, today=cat.TODAY) for n in p["personal_number"].tolist()]
    arrival = p["arrival_date"]
    abroad = p["parents_born_abroad"].astype(int)
    mean = p["parents_mean"]
    frame = pl.DataFrame(
        {
            "pupil": [pseudonym(n) for n in numbers],
            "given_name": [str(v) for v in p["given_name"].tolist()],
            "family_name": [str(v) for v in p["family_name"].tolist()],
            "birth_year": [n.birth_year for n in numbers],
            "legal_gender": [n.legal_gender for n in numbers],
            "coordination_number": [n.is_coordination_number for n in numbers],
            "arrival_date": pl.Series(
                [None if np.isnat(d) else d.astype(dt.date) for d in arrival], dtype=pl.Date
            ),
            "born_abroad": p["born_abroad"].astype(bool).tolist(),
            "parents_born_abroad": pl.Series(
                [None if a < 0 else bool(a) for a in abroad.tolist()], dtype=pl.Boolean
            ),
            "parents_highest_education": pl.Series(
                [int(v) or None for v in p["parents_highest"].tolist()], dtype=pl.Int64
            ),
            "parents_mean_education": pl.Series(
                [None if np.isnan(v) else float(v) for v in mean.tolist()], dtype=pl.Float64
            ),
        }
    )
    ids, _created = writer.pupils_ensure(frame)
    return ids["pupil_id"].to_numpy()


def _enrolments(data, pupil_ids, unit_ids, group_ids, years, writer: BatchWriter) -> int:
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
    return _facts(
        writer,
        tables.ENROLMENTS,
        pupil_id=pupil_ids[pid],
        academic_year_id=years[e["year"]],
        unit_id=unit_ids[e["unit"]],
        group_id=[g or None for g in group_ids[e["group"]].tolist()],
        school_form=form,
        year_group=[None if yg < 0 else yg for yg in year_group.tolist()],
        reads_sva=p["sva"][pid] & (e["stage"] != FS),
        special_support=support,
    )


def _staff(data, unit_ids, years, subject, writer: BatchWriter) -> dict[str, int]:
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
    counts["staff_facts"] = _facts(
        writer,
        tables.STAFF,
        unit_id=unit_ids[f["unit"]],
        academic_year_id=years[f["year"]],
        teachers=f["teachers"],
        teacher_fte=np.round(f["teacher_fte"], 2),
        certified_teacher_fte=np.round(f["certified_fte"], 2),
        pupils=f["pupils"],
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


def _users(data, organiser, areas, unit_ids, group_ids) -> dict[int, User]:
    """The demo logins, and a head (rektor) for every other unit: the heads write the
    units' reports and dialogues (demo/cycle.py) but have no password. Returns each unit's
    head by unit id."""
    index = {u.key: i for i, u in enumerate(data.units)}
    heads: dict[int, User] = {}
    # Every demo login has the same (published) password: hash it once, not six times.
    password_hash = make_password(DEMO_PASSWORD)
    running_year = AcademicYear.objects.get(code=data.years[-1].code)
    today = timezone.localdate()
    for username, given, family, role, key in DEMO_USERS:
        if key == "organiser":
            node = organiser
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
        valid_until = today + dt.timedelta(days=180) if ROLE_SPECS[role].time_limited else None
        role_grant(user=user, node=node, role=role, valid_until=valid_until)
        if role_can(role, Capability.WRITE_DIALOGUE) and node.kind == NodeKind.UNIT:
            heads[node.pk] = user
    for number, unit in enumerate(data.units):
        unit_id = int(unit_ids[index[unit.key]])
        if unit_id in heads:
            continue
        names = cat.GIVEN_NAMES_F if number % 2 else cat.GIVEN_NAMES_M
        head = User.objects.create_user(
            username=f"rektor.{unit.key}",
            password=None,
            first_name=names[number % len(names)],
            last_name=cat.FAMILY_NAMES[(3 * number) % len(cat.FAMILY_NAMES)],
        )
        role_grant(user=head, node=Node.objects.get(pk=unit_id), role=Role.UNIT_HEAD)
        heads[unit_id] = head
    return heads


# -- Several organisers in one database (bench/bench_tenants.py) ---------------------------


@dataclass(frozen=True)
class Tenant:
    """One of several demo organisers in one database: `index` (0–9) makes its codes its
    own: the organiser's code and kommunkod, the first digit of its units' skolenhetskoder,
    and its pupils' pseudonyms (the generator's personal numbers, which another tenant's
    generator may give too, are pseudonymised with the tenant's code: each tenant's pupils
    are its own, as in its own database)."""

    index: int
    seed: int
    scale: float

    @property
    def code(self) -> str:
        return f"T{self.index:02d}"

    @property
    def municipality_code(self) -> str:
        return f"98{self.index:02d}"

    @property
    def name(self) -> str:
        return f"Demohuvudman {self.index:02d}"

    def unit_code(self, code: str) -> str:
        return f"{self.index}{code[1:]}"

    def pseudonym(self, number: PersonalNumber) -> str:
        return hashlib.sha256(f"{self.code}/{pseudonym_for(number)}".encode()).hexdigest()


def tenant_build(tenant: Tenant, *, progress: Callable[[str], None] | None = None) -> dict:
    """Write one tenant's generated organisation, pupils, enrolments and the facts the
    indicators read, through the import's write path, beside any organisers the database
    already holds (none of the demo's users, cycle or reference data; nothing
    materialised). Refuses a tenant whose organiser is already there (ValueError).
    Returns the rows written per table."""
    say = progress or (lambda message: None)
    if Node.objects.filter(kind=NodeKind.ORGANISER, code=tenant.code).exists():
        raise ValueError(f"The database already holds organiser {tenant.code}.")
    data = generate(seed=tenant.seed, scale=tenant.scale)
    source = f"{tenant.name} (tenant, seed {tenant.seed}, scale {tenant.scale:g})"
    with transaction.atomic():
        writer = BatchWriter(kind="demo", source_name=source)
        years, terms, points = _calendar(data)
        unit_ids, group_ids, _organiser, _areas = _organisation(
            data,
            years,
            writer,
            name=tenant.name,
            code=tenant.code,
            municipality_code=tenant.municipality_code,
            unit_code=tenant.unit_code,
        )
        say(f"{tenant.code}: elever …")
        pupil_ids = _pupils(data, writer, tenant.pseudonym)
        counts = {"pupils": len(pupil_ids)}
        counts["enrolments"] = _enrolments(data, pupil_ids, unit_ids, group_ids, years, writer)
        counts.update(
            _pupil_facts(data, writer, pupil_ids, unit_ids, group_ids, years, terms, points, say)
        )
        f = data.staff_facts
        counts["staff_facts"] = _facts(
            writer,
            tables.STAFF,
            unit_id=unit_ids[f["unit"]],
            academic_year_id=years[f["year"]],
            teachers=f["teachers"],
            teacher_fte=np.round(f["teacher_fte"], 2),
            certified_teacher_fte=np.round(f["certified_fte"], 2),
            pupils=f["pupils"],
        )
        writer.batch_rows_set(sum(counts.values()))
        writer.finish()
    return counts
