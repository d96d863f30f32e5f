"""What each section of a quality report shows: the unit's value of each of its indicators for
the report's academic year — the year's own value, or for indicators counted per term or per
follow-up point the latest of the year's terms or points that has one — live while the report
is written, frozen from its submission on. Every figure is shown through the reader's
suppression, as on the result pages (indicators/suppression.py: `present`); n beside a shown
value only, never beside a marker, as in the API."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.indicators.registry import REGISTRY
from skolkvalitet.indicators.suppression import present
from skolkvalitet.organisation.models import AcademicYear, FollowUpPoint, Node, Term
from skolkvalitet.organisation.scopes import Scope
from skolkvalitet.quality.common_model import Template


@dataclass(frozen=True)
class Figure:
    """One indicator's figure as stored (value, n, marker, data version)."""

    section_key: str
    indicator: str
    period_kind: str
    period_id: int
    period_label: str
    value: float | None
    n: int | None
    suppression: str
    data_version: int | None

    @property
    def name(self) -> str:
        return REGISTRY[self.indicator].name_sv

    @property
    def unit(self) -> str:
        return REGISTRY[self.indicator].unit


@dataclass(frozen=True)
class ShownFigure:
    """A figure as one reader sees it: the value or a marker, n where the role may see it."""

    figure: Figure
    shown: float | str | None
    n: int | None


def _periods(year: AcademicYear) -> dict[str, list[tuple[int, str]]]:
    """The year's periods of each kind, latest first: (id, label)."""
    terms = list(Term.objects.filter(academic_year=year).order_by("-start_date"))
    points = list(
        FollowUpPoint.objects.filter(term__academic_year=year).order_by("-assessed_on", "-pk")
    )
    return {
        "year": [(year.pk, year.code)],
        "term": [(t.pk, t.code) for t in terms],
        "point": [(p.pk, p.name) for p in points],
    }


def figures_live(*, node: Node, year: AcademicYear, template: Template) -> list[Figure]:
    """The figures every section of `template` shows for `node` and `year`, as computed now.
    An indicator without a value in the year is left out."""
    periods = _periods(year)
    wanted = {key for section in template.sections for key in section.indicators if key in REGISTRY}
    period_q = Q(pk__in=[])
    for kind, ids in periods.items():
        if ids:
            period_q |= Q(period_kind=kind, period_id__in=[pk for pk, _label in ids])
    stored = {
        (v.indicator, v.period_kind, v.period_id): v
        for v in IndicatorValue.objects.filter(
            period_q, node=node, indicator__in=wanted, breakdown=""
        )
    }
    out = []
    for section in template.sections:
        for key in section.indicators:
            indicator = REGISTRY.get(key)
            if indicator is None:
                continue
            kind = str(indicator.period)
            for period_id, label in periods.get(kind, []):
                value = stored.get((key, kind, period_id))
                if value is None:
                    continue
                out.append(
                    Figure(
                        section_key=section.key,
                        indicator=key,
                        period_kind=kind,
                        period_id=period_id,
                        period_label=label,
                        value=value.value,
                        n=value.n,
                        suppression=value.suppression,
                        data_version=value.data_version,
                    )
                )
                break
    return out


def figures_as_shown(figures: list[Figure], *, node: Node, scope: Scope) -> list[ShownFigure]:
    """`figures` as the reader behind `scope` may see them."""
    pupil_access = scope.can_see_pupils_in(node)
    out = []
    for f in figures:
        shown = present(f.value, f.suppression, pupil_access=pupil_access)
        out.append(
            ShownFigure(
                figure=f,
                shown=shown,
                n=None if isinstance(shown, str) else f.n,
            )
        )
    return out
