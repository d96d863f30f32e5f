"""What the unit and group pages share: a section of series (one row per indicator and
breakdown, a value per period), the stored values it reads, and the rows per subject."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from skolkvalitet.dashboards.breakdowns import BASIS_LABELS
from skolkvalitet.dashboards.selectors.periods import PeriodRef
from skolkvalitet.indicators.models import IndicatorValue
from skolkvalitet.indicators.registry import PAGES, REGISTRY, Indicator
from skolkvalitet.indicators.suppression import present as shown
from skolkvalitet.indicators.suppression import present_n
from skolkvalitet.organisation.models import Node
from skolkvalitet.reference.comparison import Basis


@dataclass
class SeriesRow:
    indicator: Indicator
    breakdown: str
    values: list[tuple[float | str | None, int | None]]  # per period: (shown, n)
    target: float | None = None
    # A survey's: per period, how many were invited (beside a shown n only).
    invited: list[int | None] = field(default_factory=list)
    # The nation's published figure per period (None: none in the reference data).
    references: list[float | str | None] = field(default_factory=list)

    @property
    def counts(self) -> list[tuple[float | str | None, int | None, int | None]]:
        """Per period (shown, n, invited): invited only beside a shown n."""
        invited = self.invited or [None] * len(self.values)
        return [
            (value, n, asked if n is not None else None)
            for (value, n), asked in zip(self.values, invited, strict=True)
        ]

    @property
    def reference(self) -> float | str | None:
        """The nation's figure of the latest period."""
        return self.references[-1] if self.references else None

    @property
    def shown_values(self) -> list[float | str | None]:
        return [value for value, _n in self.values]


@dataclass
class Section:
    key: str
    periods: list[PeriodRef]
    rows: list[SeriesRow]
    # The survey and staff sections: whose published figures stand beside the unit's.
    reference: SectionReference | None = None


@dataclass(frozen=True)
class SectionReference:
    """The nation's published figures beside a section: of which schools (the basis) and
    which indicators have none for the latest year."""

    basis: Basis
    year: str  # the latest year of the section
    missing: list[str]  # the names of the indicators with no published figure that year

    @property
    def basis_label(self) -> str:
        """ "kommunala skolor": whose schools the figures are of."""
        return str(BASIS_LABELS[self.basis])


def breakdown_q(dimension: str | None) -> Q:
    q = Q(breakdown="")
    if dimension:
        q |= Q(breakdown__startswith=f"{dimension}=")
    return q


def stored_values(
    nodes: list[Node],
    keys: list[str],
    kind: str,
    period_ids: list[int],
    breakdown: Q,
) -> dict[tuple[int, str, str], dict[int, tuple]]:
    out: dict[tuple[int, str, str], dict[int, tuple]] = defaultdict(dict)
    for indicator, node_id, period_id, b, value, n, suppression in IndicatorValue.objects.filter(
        breakdown,
        node_id__in=[n.pk for n in nodes],
        indicator__in=keys,
        period_kind=kind,
        period_id__in=period_ids,
    ).values_list("indicator", "node_id", "period_id", "breakdown", "value", "n", "suppression"):
        out[(node_id, indicator, b)][period_id] = (value, n, suppression)
    return out


def section(
    key: str,
    node: Node,
    keys: tuple[str, ...],
    periods: list[PeriodRef],
    dimension: str | None,
    access: bool,
    targets: dict,
) -> Section:
    if not periods:
        return Section(key, [], [])
    stored = stored_values(
        [node], list(keys), periods[0].kind, [p.id for p in periods], breakdown_q(dimension)
    )
    rows = []
    for indicator_key in keys:
        indicator = REGISTRY[indicator_key]
        found = sorted(b for (n, k, b) in stored if n == node.pk and k == indicator_key)
        for b in found or [""]:
            series = stored.get((node.pk, indicator_key, b), {})
            values = []
            for period in periods:
                value, n, suppression = series.get(period.id, (None, None, ""))
                values.append(
                    (
                        shown(value, suppression, pupil_access=access),
                        present_n(n, suppression, pupil_access=access),
                    )
                )
            if any(v is not None for v, _n in values):
                rows.append(SeriesRow(indicator, b, values, targets.get((node.pk, indicator_key))))
    return Section(key, periods, rows)


def subject_rows(
    node: Node, point_id: int | None, year_id: int | None, access: bool
) -> list[tuple[str, float | str | None, float | str | None]]:
    """Per subject: on track at the point, and passed (A–E) in the year's final grades."""
    if point_id is None and year_id is None:
        return []
    on_track = stored_values(
        [node],
        [f"on_track_{s}" for s in PAGES.subjects],
        "point",
        [point_id] if point_id else [],
        Q(breakdown=""),
    )
    passed = stored_values(
        [node],
        [f"passed_{s}" for s in PAGES.subjects],
        "year",
        [year_id] if year_id else [],
        Q(breakdown=""),
    )
    subjects = []
    for code in PAGES.subjects:
        a = on_track.get((node.pk, f"on_track_{code}", ""), {})
        b = passed.get((node.pk, f"passed_{code}", ""), {})
        a_value = next(iter(a.values()), None)
        b_value = next(iter(b.values()), None)
        if a_value is None and b_value is None:
            continue
        subjects.append(
            (
                code,
                shown(a_value[0], a_value[2], pupil_access=access) if a_value else None,
                shown(b_value[0], b_value[2], pupil_access=access) if b_value else None,
            )
        )
    return subjects
