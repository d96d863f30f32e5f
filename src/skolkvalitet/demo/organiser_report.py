"""The demo organiser's own report for last academic year: its analysis and priorities on the
common model's `huvudman` template, written by the analyst and approved by the förvaltning, so
that the kvalitetsredovisning the demo produces carries them. The texts speak of the demo's
figures in general terms (no number is typed: the document shows the figures beside them) and
never of a pupil."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from skolkvalitet.organisation.models import AcademicYear, Node, NodeKind
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality.models import QualityReport
from skolkvalitet.quality.reports.actions import (
    report_approve,
    report_section_save,
    report_start,
    report_submit,
)

TEXTS = {
    "sammanfattning": (
        "Kunskapsresultaten i årskurs 9 ligger kvar på ungefär samma nivå som året innan, "
        "men skillnaderna mellan skolorna är fortfarande stora.\n\n"
        "- Läsning i de tidiga årskurserna fortsätter som huvudmannens första prioritering.\n"
        "- Närvaron följs upp vid varje uppföljningstillfälle."
    ),
    "kunskaper": (
        "Andelen elever som når lägst E i alla ämnen har minskat något. Skolorna med "
        "lägst resultat har också flest nyanlända elever och högst frånvaro."
    ),
    "likvardighet": (
        "Flickor har högre meritvärde än pojkar på alla skolor. Skillnaden mellan elever vars "
        "föräldrar har eftergymnasial utbildning och övriga är stor och har inte minskat."
    ),
    "analys": (
        "Resultatdialogerna visar att skolorna som arbetat med gemensam lektionsstart och "
        "läsfokus har en jämnare utveckling. Resursfördelningen efter behov behöver ses över."
    ),
    "prioriteringar": (
        "- Läsning och språkutveckling i förskoleklass till årskurs 3.\n"
        "- Närvarofrämjande arbete på de skolor där frånvaron är högst.\n"
        "- Likvärdig bedömning: sambedömning av nationella prov på alla skolor."
    ),
}


def organiser_report_build(*, today: dt.date, writer: str, approver: str) -> int:
    """Write, submit and approve the organiser's report for the last academic year before
    `today`'s; returns 1 when written, 0 when there is no such year or it exists."""
    years = list(AcademicYear.objects.filter(start_date__lte=today).order_by("start_date"))
    organiser = Node.objects.filter(kind=NodeKind.ORGANISER, parent__isnull=True).first()
    if len(years) < 2 or organiser is None:
        return 0
    year = years[-2]
    if QualityReport.objects.filter(node=organiser, academic_year=year).exists():
        return 0
    users = get_user_model().objects
    analyst, management = users.get(username=writer), users.get(username=approver)
    writes, approves = scope_for(analyst), scope_for(management)
    report = report_start(
        node=organiser, year=year, school_form="huvudman", scope=writes, by=analyst
    )
    for key, text in TEXTS.items():
        if report.sections.filter(key=key).exists():
            report_section_save(
                report=report, key=key, text=text, version=0, scope=writes, by=analyst
            )
    report_submit(report=report, scope=writes, by=analyst)
    report_approve(report=report, scope=approves, by=management)
    return 1
