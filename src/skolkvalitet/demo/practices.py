"""The demo's shared practices (delade arbetssätt): three grundskola units share what they did
last year under their plan's goal (linked to the plan's done actions, whose goal is
evaluated), and one shares this year's common lesson start, all published to the organiser
through quality/practices/actions.py as the units' heads. Run after demo/cycle.py's
`cycle_build`, which writes the plans the practices link to.

The contact is a role at the unit, never a person's name: the demo's staff and pupils share
the same name lists, and a practice refuses any text holding a pupil's full name."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User

from skolkvalitet.organisation.models import AcademicYear, Node, NodeKind, SchoolForm
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality.models import PlanAction
from skolkvalitet.quality.practices import actions as practices


@dataclass(frozen=True)
class Practice:
    title: str
    what: str
    for_whom: str
    material: str
    contact: str
    indicators: tuple[str, ...]
    action_title: str  # the plan action it comes from (demo/cycle.py's titles)
    running_year: bool = False


LAST_YEAR = (
    Practice(
        title="Månatlig elevgenomgång i årskurs 9",
        what=(
            "Mentorer, speciallärare och rektor går varje månad igenom alla elever i årskurs 9 "
            "som riskerar att inte nå E i något ämne. Varje elev får en namngiven vuxen som "
            "följer upp stödet till nästa genomgång, och de extra anpassningarna skrivs in på "
            "samma sätt i alla ämnen."
        ),
        for_whom="Elever i årskurs 9 som riskerar att inte nå lägst E, och deras lärare.",
        material=(
            "Mall för elevgenomgången och en lathund för extra anpassningar, i skolans "
            "gemensamma mapp under Elevhälsa."
        ),
        contact="Rektor, via skolans expedition",
        indicators=("passed_all_subjects", "eligible_vocational"),
        action_title="Månatlig uppföljning av elever som riskerar F",
    ),
    Practice(
        title="Studiestöd med ämneslärare efter skoltid",
        what=(
            "Två eftermiddagar i veckan finns lärare i matematik, svenska och engelska i "
            "biblioteket. Mentorerna bjuder särskilt in elever som har missat moment, och "
            "lärarna skickar med uppgifter som eleven arbetar med."
        ),
        for_whom="Elever i årskurs 7–9, främst de som riskerar F i något ämne.",
        material="Schema och inbjudan till vårdnadshavare (mall), hos skolans administratör.",
        contact="Förstelärare i matematik, via rektor",
        indicators=("passed_all_subjects", "merit_value_17"),
        action_title="Studiestöd",
    ),
    Practice(
        title="Tidig kartläggning i årskurs 9",
        what=(
            "Redan i september gör ämneslärarna en gemensam bedömning av vilka elever som "
            "riskerar att inte nå E, i stället för i vårterminen. Stödet planeras i "
            "elevhälsoteamet samma månad."
        ),
        for_whom="Ämneslärare och elevhälsoteam i årskurs 9.",
        material="Kartläggningsunderlaget finns som kalkylark hos speciallärarna.",
        contact="Speciallärare, via skolans expedition",
        indicators=("passed_all_subjects",),
        action_title="Månatlig uppföljning av elever som riskerar F",
    ),
)
RUNNING = Practice(
    title="Gemensam lektionsstart",
    what=(
        "Alla lektioner i årskurs 8 börjar likadant: läraren tar emot vid dörren, dagens mål "
        "står på tavlan och de första fem minuterna är en kort uppgift som alla kan börja på "
        "direkt."
    ),
    for_whom="Elever och lärare i årskurs 8.",
    material="Affisch med lektionsstartens tre steg och en film från ett arbetslagsmöte.",
    contact="Arbetslagsledare i årskurs 8, via rektor",
    indicators=("survey_pupil_study_calm", "absence_15_percent_or_more"),
    action_title="Gemensam lektionsstart i alla ämnen",
    running_year=True,
)


def practices_build(*, today: dt.date, heads: dict[int, User]) -> int:
    """Publish the demo's shared practices: LAST_YEAR's of the first three grundskola units
    with a head and a plan (one each, for last year), and RUNNING of the first of them (this
    year). `heads`: each unit's head by unit id, as cycle_build takes them. Returns the number
    published."""
    years = list(AcademicYear.objects.filter(start_date__lte=today).order_by("start_date"))
    if len(years) < 2:
        return 0
    previous, running = years[-2], years[-1]
    units = [
        u
        for u in Node.objects.filter(kind=NodeKind.UNIT).order_by("code")
        if u.pk in heads and SchoolForm.GR in (u.school_forms or ())
    ]
    shared = 0
    planned = list(zip(units, LAST_YEAR, strict=False))
    if units:
        planned.append((units[0], RUNNING))
    for unit, practice in planned:
        year = running if practice.running_year else previous
        action = (
            PlanAction.objects.filter(
                goal__area__node=unit,
                goal__area__academic_year=year,
                title=practice.action_title,
            )
            .select_related("goal__area")
            .first()
        )
        if action is None:
            continue
        head = heads[unit.pk]
        scope = scope_for(head, on=today)
        saved = practices.practice_save(
            node=unit,
            academic_year=year,
            title=practice.title,
            what=practice.what,
            for_whom=practice.for_whom,
            material=practice.material,
            contact=practice.contact,
            school_form=SchoolForm.GR,
            area=action.goal.area.title,
            indicators=list(practice.indicators),
            plan_actions=[action],
            scope=scope,
            by=head,
        )
        practices.practice_publish(practice=saved, scope=scope, by=head)
        shared += 1
    return shared
