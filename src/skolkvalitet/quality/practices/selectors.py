"""Reads of the shared practices: the published practices a user reads (every practice
published in the organisers where the user holds a role), their search by free text, area,
school form, indicator and academic year, the practices a user writes, one practice with its
linked actions, goals and evaluations, the choices of the practice form, and
`practices_of_year` for the organiser's annual report."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from skolkvalitet.indicators.registry import REGISTRY
from skolkvalitet.organisation.models import AcademicYear, Node, SchoolForm
from skolkvalitet.organisation.scopes import Scope, path_prefix_q
from skolkvalitet.quality.models import (
    DevelopmentGoal,
    GoalEvaluation,
    Intervention,
    PlanAction,
    PracticeStatus,
    ProblemArea,
    SharedPractice,
)
from skolkvalitet.quality.practices.permissions import (
    may_read_practice,
    may_write_practice,
    organiser_paths,
)

MAX_SEARCH_WORDS = 8


def _with_links(practices: QuerySet[SharedPractice]) -> QuerySet[SharedPractice]:
    return practices.select_related("node", "academic_year").prefetch_related(
        Prefetch(
            "plan_actions",
            queryset=PlanAction.objects.select_related(
                "goal__area__academic_year", "goal__evaluation"
            ).order_by("ends", "pk"),
        ),
        Prefetch("interventions", queryset=Intervention.objects.order_by("name", "pk")),
    )


def practices_published(scope: Scope) -> QuerySet[SharedPractice]:
    """Every practice published in the organisers where the user holds a valid role."""
    return SharedPractice.objects.filter(
        path_prefix_q("node__path", organiser_paths(scope)), status=PracticeStatus.PUBLISHED
    )


@dataclass(frozen=True)
class PracticeSearch:
    """What the list asks for: words of the title, what was done or for whom (every word
    must occur, in any case), the area (whole, in any case), the school form, one indicator
    and the academic year; empty means any."""

    text: str = ""
    area: str = ""
    school_form: str = ""
    indicator: str = ""
    year: AcademicYear | None = None

    @property
    def words(self) -> list[str]:
        return self.text.split()[:MAX_SEARCH_WORDS]

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.area or self.school_form or self.indicator or self.year)


def practices_search(scope: Scope, search: PracticeSearch) -> list[SharedPractice]:
    """The published practices the user reads that match `search`, the latest published
    first. The indicators are filtered here rather than in the database (a JSON list is
    searched alike on SQLite and PostgreSQL that way; an organiser shares hundreds, not
    millions)."""
    practices = practices_published(scope)
    for word in search.words:
        practices = practices.filter(
            Q(title__icontains=word) | Q(what__icontains=word) | Q(for_whom__icontains=word)
        )
    if search.area:
        practices = practices.filter(area__iexact=search.area.strip())
    if search.school_form:
        practices = practices.filter(school_form=search.school_form)
    if search.year is not None:
        practices = practices.filter(academic_year=search.year)
    found = list(_with_links(practices).order_by("-published_at", "title", "pk"))
    if search.indicator:
        found = [p for p in found if search.indicator in p.indicators]
    return found


@dataclass
class Facets:
    """The values the published practices a user reads carry: the search's choices."""

    areas: list[str] = field(default_factory=list)
    school_forms: list[tuple[str, str]] = field(default_factory=list)  # (code, label)
    indicators: list[tuple[str, str]] = field(default_factory=list)  # (key, Swedish name)
    years: list[AcademicYear] = field(default_factory=list)


def practice_facets(scope: Scope) -> Facets:
    rows = list(
        practices_published(scope).values_list("area", "school_form", "indicators", "academic_year")
    )
    # One area whatever its case, spelled as most practices spell it (ties: the first sorted).
    spellings = Counter(area for area, *_rest in rows if area)
    areas: dict[str, str] = {}
    for area, _count in sorted(spellings.items(), key=lambda kv: (-kv[1], kv[0])):
        areas.setdefault(area.casefold(), area)
    forms = {form for _area, form, _keys, _year in rows if form}
    keys = {key for _area, _form, found, _year in rows for key in found or () if key in REGISTRY}
    years = {year for *_rest, year in rows}
    return Facets(
        areas=sorted(areas.values(), key=str.casefold),
        school_forms=[(f, str(SchoolForm(f).label)) for f in SchoolForm.values if f in forms],
        indicators=sorted(((k, REGISTRY[k].name_sv) for k in keys), key=lambda kv: kv[1]),
        years=list(AcademicYear.objects.filter(pk__in=years).order_by("-start_date")),
    )


def practices_to_write(scope: Scope) -> list[SharedPractice]:
    """Every practice, in any state, of the nodes the user writes practices for (a unit head's
    units; the organiser's own for the förvaltning), the latest changed first."""
    candidates = SharedPractice.objects.filter(path_prefix_q("node__path", scope.paths()))
    return [
        p
        for p in candidates.select_related("node", "academic_year").order_by("-updated_at", "pk")
        if may_write_practice(scope, p.node)
    ]


def practice_find(scope: Scope, pk: int) -> SharedPractice | None:
    """The practice, if the user may read it: published in one of the user's organisers, or
    any state for the node's writers and reviewers; else None (the page answers 404)."""
    practice = _with_links(SharedPractice.objects.filter(pk=pk)).first()
    if practice is None or not may_read_practice(scope, practice):
        return None
    return practice


@dataclass(frozen=True)
class LinkedAction:
    """A plan action a practice links to, with its goal and the goal's evaluation (if any)."""

    action: PlanAction
    goal: DevelopmentGoal
    area: ProblemArea
    evaluation: GoalEvaluation | None


def practice_links(practice: SharedPractice) -> list[LinkedAction]:
    rows = []
    for action in practice.plan_actions.all():
        goal = action.goal
        rows.append(
            LinkedAction(
                action=action,
                goal=goal,
                area=goal.area,
                evaluation=getattr(goal, "evaluation", None),
            )
        )
    return rows


def practices_of_year(organiser: Node, year: AcademicYear) -> list[SharedPractice]:
    """The practices published in the organiser (its own and its units') for the academic
    year, for the annual report: by unit name, then title, each with its node, plan actions
    (their goals and evaluations: `practice_links`) and interventions loaded. Not scoped: a
    published practice is shared with the whole organiser, and the report is the
    organiser's."""
    practices = SharedPractice.objects.filter(
        node__path__startswith=organiser.path,
        academic_year=year,
        status=PracticeStatus.PUBLISHED,
    )
    return list(_with_links(practices).order_by("node__name", "title", "pk"))


# -- the form's choices ------------------------------------------------------------------------


def action_choices(node: Node, year: AcademicYear) -> list[PlanAction]:
    """The node's plan actions a practice of `year` may link to: those of the year's plan and
    of the year before (a practice is often shared once an action of last year is done)."""
    return list(
        PlanAction.objects.filter(
            goal__area__node=node,
            goal__area__academic_year__start_date__lte=year.start_date,
            goal__area__academic_year__start_date__gt=year.start_date - dt.timedelta(days=500),
        )
        .select_related("goal__area__academic_year")
        .order_by("-goal__area__academic_year__start_date", "ends", "pk")
    )


def intervention_choices(node: Node) -> list[Intervention]:
    """The interventions the node takes part in (for the organiser: any of its units)."""
    return list(
        Intervention.objects.filter(units__path__startswith=node.path)
        .distinct()
        .order_by("name", "pk")
    )


def area_suggestions(node: Node, year: AcademicYear, scope: Scope) -> list[str]:
    """The titles of the node's problem areas of the year, then the areas of the practices the
    user reads: what the area field suggests, so that practices share their tags."""
    titles = ProblemArea.objects.filter(node=node, academic_year=year).values_list(
        "title", flat=True
    )
    seen: dict[str, str] = {}
    for value in [*titles, *practice_facets(scope).areas]:
        seen.setdefault(value.casefold(), value)
    return list(seen.values())
