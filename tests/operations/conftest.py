"""A small organiser over three academic years, for backup, restore and retention: the pupils
of tests/conftest.py in 2024/25 with facts of every kind, and older years.

    2018/19  Gammal (only then, year 9 at Norrskolan): final grades, a national test,
             absence, an assessment at the year's follow-up point; SS 12000 link; journal
    2020/21  Josef in year 8 at Ekskolan: a term grade in MA and the final grade of HKK,
             a subject he ended in year 8 (it counts in his 2024/25 leaving certificate)
    2024/25  final grades of Josef (year 9), term grades, absence and assessments

Then: the indicators materialised, Norrskolan's quality report for 2024/25 handed in (its
figures frozen), and an audit event naming Gammal and Josef."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from skolkvalitet.batches.models import ImportBatch, ImportJournal, JournalAction
from skolkvalitet.indicators.materialise import indicators_materialise
from skolkvalitet.ingest.models import Ss12000Link
from skolkvalitet.organisation import actions
from skolkvalitet.organisation.audit import audit_record
from skolkvalitet.organisation.identity import make_personal_number, parse_personal_number
from skolkvalitet.organisation.models import (
    AcademicYear,
    Enrolment,
    FollowUpPoint,
    SchoolForm,
    Term,
)
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality.reports.actions import report_start, report_submit
from skolkvalitet.results.models import (
    Absence,
    Assessment,
    AssessmentScale,
    Grade,
    NationalTest,
    Subject,
)


def _year(code: str, start: dt.date, end: dt.date) -> tuple[AcademicYear, Term, Term]:
    year = AcademicYear.objects.create(code=code, start_date=start, end_date=end)
    ht = Term.objects.create(
        academic_year=year, kind="HT", start_date=start, end_date=dt.date(start.year + 1, 1, 8)
    )
    vt = Term.objects.create(
        academic_year=year, kind="VT", start_date=dt.date(start.year + 1, 1, 10), end_date=end
    )
    return year, ht, vt


@pytest.fixture
def world(org, users) -> SimpleNamespace:
    ns = SimpleNamespace(org=org, users=users)
    subjects = {s.code: s for s in Subject.objects.all()}
    scales = {s.code: s for s in AssessmentScale.objects.all()}
    ns.y18, ht18, vt18 = _year("2018/19", dt.date(2018, 8, 20), dt.date(2019, 6, 14))
    ns.y20, ht20, vt20 = _year("2020/21", dt.date(2020, 8, 20), dt.date(2021, 6, 11))
    ns.y24 = org.year
    ht24 = Term.objects.create(
        academic_year=ns.y24,
        kind="HT",
        start_date=dt.date(2024, 8, 19),
        end_date=dt.date(2025, 1, 10),
    )
    vt24 = Term.objects.create(
        academic_year=ns.y24,
        kind="VT",
        start_date=dt.date(2025, 1, 13),
        end_date=dt.date(2025, 6, 13),
    )
    ns.p18 = FollowUpPoint.objects.create(
        term=ht18,
        ordinal=1,
        name="HT2018",
        assessed_on=dt.date(2018, 10, 15),
        deadline=dt.date(2018, 11, 1),
    )
    ns.p24 = FollowUpPoint.objects.create(
        term=ht24,
        ordinal=1,
        name="HT2024",
        assessed_on=dt.date(2024, 10, 15),
        deadline=dt.date(2024, 11, 1),
    )
    ns.old_batch = ImportBatch.objects.create(kind="grades", source_name="2018.csv")
    ns.batch = ImportBatch.objects.create(kind="grades", source_name="2024.csv")

    number = parse_personal_number(make_personal_number(dt.date(2003, 4, 2), 123))
    ns.gammal, _ = actions.pupil_get_or_create(number=number, given_name="Gammal")
    josef = ns.josef = org.pupils["Josef"]
    Enrolment.objects.create(
        pupil=ns.gammal,
        academic_year=ns.y18,
        unit=org.unit_n1,
        school_form=SchoolForm.GR,
        year_group=9,
    )
    Enrolment.objects.create(
        pupil=josef,
        academic_year=ns.y20,
        unit=org.unit_s2,
        school_form=SchoolForm.GR,
        year_group=8,
    )

    def grade(pupil, unit, term, year_group, code, value, kind, batch):
        return Grade(
            pupil=pupil,
            unit=unit,
            term=term,
            year_group=year_group,
            subject=subjects[code],
            value=value,
            grade_type=kind,
            batch=batch,
        )

    grades = [
        grade(ns.gammal, org.unit_n1, vt18, 9, code, value, "final", ns.old_batch)
        for code, value in {"SV": "C", "EN": "B", "MA": "E"}.items()
    ]
    grades += [
        grade(josef, org.unit_s2, ht20, 8, "MA", "D", "term", ns.old_batch),
        grade(josef, org.unit_s2, vt20, 8, "HKK", "A", "final", ns.old_batch),
    ]
    grades += [
        grade(josef, org.unit_s2, vt24, 9, code, value, "final", ns.batch)
        for code, value in {"SV": "C", "EN": "B", "MA": "F"}.items()
    ]
    grades += [
        grade(org.pupils[name], org.unit_n1, ht24, 7, "MA", value, "term", ns.batch)
        for name, value in {"Alva": "A", "Bella": "F", "Cesar": "C"}.items()
    ]
    Grade.objects.bulk_create(grades)
    NationalTest.objects.create(
        pupil=ns.gammal,
        unit=org.unit_n1,
        term=vt18,
        year_group=9,
        subject=subjects["MA"],
        scale="grade",
        value="D",
        batch=ns.old_batch,
    )
    for pupil, unit, term, year_group, absent in (
        (ns.gammal, org.unit_n1, ht18, 9, 900),
        (org.pupils["Alva"], org.unit_n1, ht24, 7, 1200),
        (org.pupils["Hanna"], org.unit_s1, ht24, 7, 300),
    ):
        Absence.objects.create(
            pupil=pupil,
            unit=unit,
            term=term,
            starts_on=term.start_date,
            ends_on=term.end_date,
            year_group=year_group,
            scheduled_minutes=6000,
            absent_minutes=absent,
            unexcused_minutes=absent // 3,
            batch=ns.batch if term == ht24 else ns.old_batch,
        )
    for pupil, unit, point, year_group, value in (
        (ns.gammal, org.unit_n1, ns.p18, 9, "E"),
        (org.pupils["Alva"], org.unit_n1, ns.p24, 7, "A"),
        (org.pupils["Bella"], org.unit_n1, ns.p24, 7, "F"),
    ):
        Assessment.objects.create(
            pupil=pupil,
            unit=unit,
            follow_up_point=point,
            year_group=year_group,
            subject=subjects["MA"],
            scale=scales["forecast_af"],
            value=value,
            batch=ns.batch,
        )
    Ss12000Link.objects.create(
        source="https://sis.example",
        resource="pupils",
        external_id="gammal-1",
        local_id=ns.gammal.pk,
    )
    ns.journal = ImportJournal.objects.create(
        batch=ns.old_batch,
        table="organisation_pupil",
        action=JournalAction.CREATED,
        columns=["id"],
        rows=[[ns.gammal.pk], [josef.pk]],
    )
    ns.values = indicators_materialise()
    ns.report = report_start(
        node=org.unit_n1,
        year=ns.y24,
        school_form="grundskola",
        scope=scope_for(users.unit_head),
        by=users.unit_head,
    )
    ns.report = report_submit(
        report=ns.report, scope=scope_for(users.unit_head), by=users.unit_head
    )
    ns.audit = audit_record(
        user=users.organiser_admin,
        action="view_pupil_history",
        node=org.unit_n1,
        pupil_ids=[ns.gammal.pk, josef.pk],
    )
    return ns
