"""The demo's quality cycle in motion: targets for the running year, last year's quality
reports written, submitted and approved, and the running year's resultatdialoger in every
state at the follow-up points that have passed. Written after the indicators are computed
(the reports freeze their figures), through the quality and dashboards actions only, as the
demo's users: each unit's head writes, the förvaltning reviews.

Deterministic: the states and texts follow a seeded generator, and every date the cycle's
rules reckon with (whose roles count, when goals may be evaluated, what is overdue) is the
demo's own `today` (catalogue.TODAY), not the clock, so a rebuild gives the same
organisation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.contrib.auth.models import User

from skolkvalitet.dashboards.actions import target_set
from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.organisation.models import AcademicYear, FollowUpPoint, Node, NodeKind
from skolkvalitet.organisation.scopes import scope_for
from skolkvalitet.quality import actions as dialogues
from skolkvalitet.quality.common_model import template_checked
from skolkvalitet.quality.models.plans import ActionStatus, Verdict
from skolkvalitet.quality.plans import actions as plans
from skolkvalitet.quality.reports import actions as reports
from skolkvalitet.quality.reports.export import school_form_of

# The running year's targets, set on the organiser: last year's value of the organiser
# and a step toward better (indicator, step, highest value).
TARGET_STEPS: tuple[tuple[str, float, float], ...] = (
    ("merit_value_17", 5.0, 340.0),
    ("passed_all_subjects", 3.0, 100.0),
    ("eligible_vocational", 2.0, 100.0),
    ("absence_15_percent_or_more_year", -2.0, 100.0),
)

# What unit heads write, by section; one of each section's texts, chosen per unit.
SECTION_TEXTS: dict[str, tuple[str, ...]] = {
    "kunskaper": (
        "Resultaten i årskurs 9 ligger i nivå med förra året. Matematik är fortfarande det "
        "ämne där flest elever inte når E; skillnaden mellan flickor och pojkar har minskat.",
        "Meritvärdet har ökat, främst genom högre betyg i engelska och svenska. Betygen "
        "stämmer väl med provresultaten utom i matematik, där fler fått högre betyg än prov.",
        "Färre elever än förra året är behöriga till yrkesprogram. Analysen pekar på sena "
        "insatser: elever som riskerar att inte nå E upptäcks för sent under vårterminen.",
    ),
    "normer": (
        "Eleverna känner sig trygga, men studieron upplevs som sämre i årskurs 8. Vi har "
        "infört gemensamma rutiner för lektionsstart.",
        "Trygghetsenkäten visar goda resultat. Kränkningsanmälningarna har minskat efter "
        "arbetet med rastaktiviteter.",
    ),
    "elevhalsa": (
        "Den höga frånvaron är koncentrerad till ett fåtal elever; elevhälsan följer nu upp "
        "varje elev med mer än 15 % frånvaro varje månad.",
        "Frånvaron har minskat något. Extra anpassningar dokumenteras nu i alla ämnen.",
    ),
    "forutsattningar": (
        "Andelen legitimerade lärare är hög utom i moderna språk och slöjd.",
        "Två lärartjänster i matematik har varit svåra att rekrytera till.",
    ),
    "undervisning": (
        "Kollegialt lärande med fokus på formativ bedömning har pågått hela året.",
        "Lärarna har observerat varandras lektioner med fokus på tydliga lektionsmål.",
    ),
    "analys": (
        "Den viktigaste orsaken till resultaten bedömer vi vara att stödet sätts in för sent. "
        "Där vi tidigt har följt upp elevernas bedömningar ser vi bättre resultat.",
        "Skillnaderna mellan klasserna förklaras till stor del av hur konsekvent "
        "undervisningen följer upp elevernas kunskaper under terminen.",
    ),
    "prioriteringar": (
        "1. Tidig uppföljning i matematik. 2. Studiero i årskurs 8. 3. Närvaro.",
        "1. Formativ bedömning i alla ämnen. 2. Elevhälsans förebyggande arbete.",
    ),
}
OTHER_TEXT = "Arbetet följer plan; se nulägesanalysen för detaljer."

DIALOGUE_TEXTS = {
    "analysis": (
        "Fler elever än vid förra tillfället bedöms nå målen i matematik efter att vi "
        "infört tvålärarskap i årskurs 7.",
        "Andelen som bedöms nå målen i alla ämnen har sjunkit något; orsaken är främst "
        "frånvaro bland ett fåtal elever i årskurs 9.",
    ),
    "what_works": ("Tvålärarskapet i matematik.", "De gemensamma lektionsstarterna."),
    "actions": (
        "Utöka tvålärarskapet till årskurs 8 från januari.",
        "Elevhälsan följer upp varje elev med hög frånvaro varannan vecka.",
    ),
    "support_needed": ("Fortbildning i matematikdidaktik.", ""),
}
# The running year's dialogues: (state, weight).
DIALOGUE_STATES = (
    ("discussed", 0.4),
    ("submitted", 0.25),
    ("returned", 0.1),
    ("draft", 0.15),
    ("not_started", 0.1),
)


# What the units' plans hold: last year's area and its indicator goal (evaluated), and the
# running year's area with a qualitative goal and actions — one of them overdue.
LAST_YEAR_AREA = (
    "Fler elever ska nå lägst E i alla ämnen",
    "Stöd sätts in för sent: elever som riskerar att inte nå E upptäcks först i vårterminen "
    "i årskurs 9, och de extra anpassningarna dokumenteras olika i olika ämnen.",
)
RUNNING_AREA = (
    "Studiero och närvaro i årskurs 8",
    "Enkäten och frånvaron visar att studieron brister i några klasser; lektionsstarterna "
    "ser olika ut och frånvaron är hög bland ett fåtal elever.",
)
VERDICT_REASONS = {
    Verdict.MET: "Målet nåddes: uppföljningen varje månad fångade eleverna i tid.",
    Verdict.PARTLY: "Andelen ökade men inte hela vägen; stödet kom igång först efter jul.",
    Verdict.NOT_MET: "Andelen minskade; flera elever med hög frånvaro nåddes inte av stödet.",
}
# Report deadlines: (year offset from the running year, month, day) — June of each year.
REPORT_DEADLINE = (6, 15)


@dataclass
class CycleCounts:
    targets: int = 0
    reports: int = 0
    dialogues: int = 0
    plans: int = 0


def cycle_build(
    *, today: dt.date, seed: int, heads: dict[int, User], reviewer: User
) -> CycleCounts:
    """Targets, last year's approved reports and the running year's dialogues. `heads`: the
    head (a user with the unit-head role there) of each unit, by unit id."""
    rng = np.random.default_rng(seed)
    counts = CycleCounts()
    years = list(AcademicYear.objects.filter(start_date__lte=today).order_by("start_date"))
    if len(years) < 2:
        return counts
    previous, running = years[-2], years[-1]
    organiser = Node.objects.get(kind=NodeKind.ORGANISER)
    counts.targets = _targets(organiser, previous, running, reviewer)
    for year in (previous, running):
        plans.report_deadline_set(
            academic_year=year,
            school_form="",
            deadline=dt.date(year.start_year + 1, *REPORT_DEADLINE),
            scope=scope_for(reviewer, on=today),
            by=reviewer,
        )
    units = list(Node.objects.filter(kind=NodeKind.UNIT).order_by("code"))
    for unit in units:
        head = heads.get(unit.pk)
        school_form = school_form_of(unit)
        if head is None or school_form is None:
            continue
        _report(unit, previous, school_form, head, reviewer, today, rng)
        counts.reports += 1
        if school_form == "grundskola":
            _plans(unit, previous, running, head, today, rng)
            counts.plans += 1
    points = FollowUpPoint.objects.filter(
        term__academic_year=running, assessed_on__lte=today
    ).order_by("assessed_on")
    writing = [u for u in units if u.pk in heads and "GR" in (u.school_forms or ())]
    for point in points:
        states = _states_for(len(writing), rng)
        for unit, state in zip(writing, states, strict=True):
            counts.dialogues += _dialogue(unit, point, heads[unit.pk], reviewer, state, rng)
    return counts


def _states_for(count: int, rng: np.random.Generator) -> list[str]:
    """`count` dialogue states in DIALOGUE_STATES' proportions, every state at least once
    when there are enough units, in a shuffled order."""
    weights = np.array([w for _s, w in DIALOGUE_STATES])
    each = np.floor(weights / weights.sum() * count).astype(int)
    if count >= len(DIALOGUE_STATES):
        each = np.maximum(each, 1)
    while each.sum() < count:
        each[int(np.argmax(weights / weights.sum() * count - each))] += 1
    while each.sum() > count:
        each[int(np.argmax(each))] -= 1
    states = [s for (s, _w), n in zip(DIALOGUE_STATES, each, strict=True) for _ in range(n)]
    return [states[i] for i in rng.permutation(len(states))]


def _targets(organiser: Node, previous: AcademicYear, running: AcademicYear, by: User) -> int:
    stored = IndicatorValue.objects.filter(
        node=organiser,
        period_kind="year",
        period_id=previous.pk,
        breakdown="",
        indicator__in=[key for key, _step, _top in TARGET_STEPS],
    ).values_list("indicator", "value")
    values = {key: value for key, value in stored if value is not None}
    count = 0
    for key, step, top in TARGET_STEPS:
        if key not in values:
            continue
        value = round(min(top, max(0.0, values[key] + step)), 1)
        target_set(node=organiser, indicator=key, value=value, academic_year=running, by=by)
        count += 1
    return count


def _pick(rng: np.random.Generator, texts: tuple[str, ...]) -> str:
    return texts[int(rng.integers(len(texts)))]


def _report(
    unit: Node,
    year: AcademicYear,
    school_form: str,
    head: User,
    reviewer: User,
    today: dt.date,
    rng: np.random.Generator,
) -> None:
    head_scope, review_scope = scope_for(head, on=today), scope_for(reviewer, on=today)
    report = reports.report_start(
        node=unit, year=year, school_form=school_form, scope=head_scope, by=head
    )
    template = template_checked(
        report.template.school_form, report.template.name, report.template.sections
    )
    for section in template.sections:
        text = (
            _pick(rng, SECTION_TEXTS[section.key]) if section.key in SECTION_TEXTS else OTHER_TEXT
        )
        reports.report_section_save(
            report=report, key=section.key, text=text, version=0, scope=head_scope, by=head
        )
    reports.report_submit(report=report, scope=head_scope, by=head)
    reports.report_approve(report=report, scope=review_scope, by=reviewer)


def _dialogue(
    unit: Node,
    point: FollowUpPoint,
    head: User,
    reviewer: User,
    state: str,
    rng: np.random.Generator,
) -> int:
    if state == "not_started":
        return 0
    texts = {field: _pick(rng, options) for field, options in DIALOGUE_TEXTS.items()}
    if state == "draft":
        dialogues.dialogue_save_draft(unit=unit, point=point, by=head, **texts)
        return 1
    dialogues.dialogue_submit(unit=unit, point=point, by=head, **texts)
    if state == "returned":
        dialogues.dialogue_return(
            unit=unit,
            point=point,
            by=reviewer,
            comment="Utveckla orsaksanalysen: vad skiljer klasserna åt?",
        )
    elif state == "discussed":
        dialogues.dialogue_mark_discussed(unit=unit, point=point, by=reviewer)
    return 1


def _plans(
    unit: Node,
    previous: AcademicYear,
    running: AcademicYear,
    head: User,
    today: dt.date,
    rng: np.random.Generator,
) -> None:
    """Last year's plan, evaluated as of `today`, and the running year's with its actions
    under way."""
    scope = scope_for(head, on=today)
    last = plans.problem_area_create(
        node=unit,
        academic_year=previous,
        title=LAST_YEAR_AREA[0],
        causes=LAST_YEAR_AREA[1],
        priority=1,
        scope=scope,
        by=head,
    )
    baseline = IndicatorValue.objects.filter(
        node=unit,
        indicator="passed_all_subjects",
        period_kind="year",
        period_id=previous.pk,
        breakdown="",
    ).first()
    start_value = baseline.value if baseline is not None and baseline.value is not None else 70.0
    if baseline is not None:
        plans.evidence_add_figure(
            area=last,
            indicator="passed_all_subjects",
            period_kind="year",
            period_id=previous.pk,
            scope=scope,
            by=head,
        )
    goal = plans.goal_create_indicator(
        area=last,
        title="Fler elever når lägst E i alla ämnen",
        indicator="passed_all_subjects",
        target_value=round(min(100.0, start_value + 5)),
        target_date=previous.end_date,
        scope=scope,
        by=head,
    )
    for title, months in (("Månatlig uppföljning av elever som riskerar F", 3), ("Studiestöd", 6)):
        plans.plan_action_create(
            goal=goal,
            title=title,
            starts=previous.start_date,
            ends=previous.start_date + dt.timedelta(days=30 * months),
            owner=head,
            status=ActionStatus.DONE,
            scope=scope,
            by=head,
            today=today,
        )
    verdict = list(VERDICT_REASONS)[int(rng.integers(len(VERDICT_REASONS)))]
    plans.goal_evaluate(
        goal=goal,
        verdict=verdict,
        reasons=VERDICT_REASONS[verdict],
        scope=scope,
        by=head,
        today=today,
    )

    now = plans.problem_area_create(
        node=unit,
        academic_year=running,
        title=RUNNING_AREA[0],
        causes=RUNNING_AREA[1],
        priority=1,
        scope=scope,
        by=head,
    )
    plans.evidence_add_qualitative(
        area=now,
        text="Elevenkäten hösten 2026 och klassernas frånvarostatistik.",
        scope=scope,
        by=head,
    )
    calm = plans.goal_create_qualitative(
        area=now,
        title="Studiero i alla klasser i årskurs 8",
        criterion="Minst fyra av fem elever i varje klass anger studiero i vårens enkät.",
        scope=scope,
        by=head,
    )
    started = running.start_date
    actions = (
        (
            "Gemensam lektionsstart i alla ämnen",
            started,
            started + dt.timedelta(days=200),
            ActionStatus.ONGOING,
        ),
        (
            "Kartläggning av frånvaron per klass",
            started,
            today - dt.timedelta(days=14),
            ActionStatus.PLANNED,
        ),
    )
    for title, starts, ends, status in actions:
        action = plans.plan_action_create(
            goal=calm,
            title=title,
            starts=starts,
            ends=ends,
            owner=head,
            status=status,
            scope=scope,
            by=head,
            today=today,
        )
    point = (
        FollowUpPoint.objects.filter(term__academic_year=running, assessed_on__lte=today)
        .order_by("-assessed_on")
        .first()
    )
    if point is not None:
        plans.progress_note_add(
            point=point,
            text="Lektionsstarterna är igång i alla klasser; kartläggningen har inte börjat.",
            action=action,
            scope=scope,
            by=head,
        )
