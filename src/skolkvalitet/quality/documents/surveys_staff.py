"""The documents' chapters on trygghet and studiero from the surveys and on staff and teacher
certification (issue 13, item 1), for the kvalitetsredovisning and a unit's kvalitetsrapport.

Per school form (the forms each indicator is registered for, of those the node's units run),
the node's stored yearly figures of the registry's survey, staff and preschool indicators over
five academic years, as the board sees them (`present` without pupil access: a figure resting
on too few respondents is hidden); beside the report's year, what the figure rests on (the
respondents of those invited, the teachers, the children; never beside a hidden figure) and
the nation's published figure of that year for the same kind of schools where the reference
data hold one (else '.', and a note says so); a trend chart of the key figures drawn by the
pages' chart functions; in the kvalitetsredovisning also every unit's figure of the year.

The organiser's stored figures are not split by school form: its pupil survey and staff
figures cover every unit with the facts, compulsory and upper secondary alike, and the
heading names the forms they cover.

What the chapters read is a `ChapterFigures`: the stored figures, the nation's and those
invited to the surveys. `chapter_figures_live` reads them now; a report freezes them when it
is handed in (quality/reports/actions.py `report_submit`, as ReportFigure rows of the kinds in
CHAPTER_KINDS: a unit's report its own, the organiser's report also its units') and the
documents of a handed-in report read them back (`frozen_chapters`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from skolkvalitet.dashboards.breakdowns import BASIS_LABELS
from skolkvalitet.dashboards.selectors.year_facts import nation_by_year
from skolkvalitet.indicators.registry import REGISTRY, Family, Level
from skolkvalitet.organisation.models import AcademicYear, Node, NodeKind
from skolkvalitet.organisation.school_forms import school_forms_label
from skolkvalitet.organisation.scopes import path_prefix_q
from skolkvalitet.organisation.selectors import organiser_of
from skolkvalitet.publishing.charts.trend import trend_chart
from skolkvalitet.publishing.documents.model import (
    Cell,
    Chart,
    Document,
    FigureCell,
    Heading,
    Note,
    Paragraph,
    Table,
)
from skolkvalitet.publishing.formatting import Value, as_number
from skolkvalitet.quality.common_model import Template
from skolkvalitet.quality.documents.figures import (
    StoredFigure,
    reference_cell,
    stored_year_values,
    year_cell,
)
from skolkvalitet.quality.models import QualityReport
from skolkvalitet.quality.reports.figures import CHAPTER_KINDS, TREND_YEARS
from skolkvalitet.reference.comparison import Basis, like_for_like
from skolkvalitet.results.models import SurveyResult


@dataclass(frozen=True)
class Group:
    """Indicators of the same school forms read together: their figures rest on the same
    kind of n (`n_label`); `charted` get a trend chart."""

    keys: tuple[str, ...]
    charted: tuple[str, ...]
    n_label: str  # a message id: what n counts

    @property
    def forms(self) -> tuple[str, ...]:
        return REGISTRY[self.keys[0]].school_forms

    @property
    def family(self) -> str:
        return str(REGISTRY[self.keys[0]].family)

    def __post_init__(self) -> None:
        forms = {REGISTRY[k].school_forms for k in self.keys}
        families = {REGISTRY[k].family for k in self.keys}
        if len(forms) != 1 or len(families) != 1 or not set(self.charted) <= set(self.keys):
            raise ValueError(f"a group's indicators share forms and family: {self.keys}")


RESPONDENTS = gettext_noop("Respondents")
SURVEY_GROUPS = (
    Group(
        keys=(
            "survey_pupil_safety",
            "survey_pupil_study_calm",
            "survey_pupil_stimulation",
            "survey_pupil_support",
        ),
        charted=("survey_pupil_safety", "survey_pupil_study_calm"),
        n_label=RESPONDENTS,
    ),
    Group(
        keys=(
            "survey_guardian_preschool_safety",
            "survey_guardian_preschool_development",
            "survey_guardian_preschool_satisfaction",
        ),
        charted=("survey_guardian_preschool_safety",),
        n_label=RESPONDENTS,
    ),
)
STAFF_GROUPS = (
    Group(
        keys=("certified_teachers_share", "pupils_per_teacher_fte"),
        charted=("certified_teachers_share", "pupils_per_teacher_fte"),
        n_label=gettext_noop("Teachers"),
    ),
    Group(
        keys=("children_per_group", "children_per_staff_fte", "preschool_teacher_share"),
        charted=("children_per_staff_fte", "preschool_teacher_share"),
        n_label=gettext_noop("Children"),
    ),
)
KEYS = tuple(k for g in (*SURVEY_GROUPS, *STAFF_GROUPS) for k in g.keys)
# Each figure's source as the board reads it (the registry's, in Swedish): by the start of
# its key (a survey) or its family.
SOURCES_SV = {
    "survey_pupil_": (
        "Huvudmannens egen elevenkät: andelen av de svarande som instämmer (stämmer helt och "
        "hållet eller ganska bra)"
    ),
    "survey_guardian_preschool_": (
        "Huvudmannens egen enkät till vårdnadshavare i förskolan: andelen av de svarande som "
        "instämmer (stämmer helt och hållet eller ganska bra)"
    ),
    str(Family.STAFF): (
        "Enheternas personaluppgifter som i Skolverkets personalstatistik (lärare i "
        "heltidstjänster, med legitimation och behörighet i minst ett ämne)"
    ),
    str(Family.PRESCHOOL): (
        "Förskolornas uppgifter om barngrupper och personal på räknedagen, som i Skolverkets "
        "statistik Barn och personal i förskolan"
    ),
}


def source_sv(key: str) -> str:
    """The source of an indicator of these chapters, in Swedish."""
    for start, source in SOURCES_SV.items():
        if key.startswith(start):
            return source
    return SOURCES_SV.get(str(REGISTRY[key].family), REGISTRY[key].source)


@dataclass(frozen=True)
class Setting:
    """What the chapters are about: `node` (the organiser or a unit) over `years` (earliest
    first, the report's year last); `units` are listed with their figures of the year (the
    kvalitetsredovisning; none in a unit's report); the nation is of `basis`. `charted`, when
    given, limits the trend charts to those indicators (a unit's report draws only the
    surveys its template does not chart already: each chart costs the PDF time)."""

    node: Node
    years: list[AcademicYear]
    units: list[Node]
    basis: Basis
    municipality_code: str
    charted: frozenset[str] | None = None

    def charts(self, group: Group) -> tuple[str, ...]:
        if self.charted is None:
            return group.charted
        return tuple(k for k in group.charted if k in self.charted)

    @property
    def year(self) -> AcademicYear:
        return self.years[-1]


@dataclass(frozen=True)
class FrozenFigure:
    """A stored figure as it was when a report was handed in."""

    value: float | None
    n: int | None
    suppression: str
    data_version: int | None


@dataclass(frozen=True)
class ChapterFigures:
    """What the chapters show: `stored` (node id, indicator, year id) → the stored figure;
    `nation` (indicator, year id) → the nation's published figure; `invited` indicator → those
    invited to the survey behind it at the setting's node in its year. `frozen_at_version`
    is the data version they were frozen at (None: read now)."""

    stored: Mapping[tuple[int, str, int], StoredFigure]
    nation: Mapping[tuple[str, int], Value]
    invited: Mapping[str, int] = field(default_factory=dict)
    frozen_at_version: int | None = None

    @property
    def data_version(self) -> int | None:
        return max((v.data_version or 0 for v in self.stored.values()), default=0) or None


# The kinds of ReportFigure rows that hold a handed-in report's chapter figures
# (CHAPTER_KINDS): the stored figures (`chapter`), the nation's (`nation`: a number in
# `value`, a marker in `suppression`) and those invited (`invited`: the count in `n`).
CHAPTER, NATION, INVITED = CHAPTER_KINDS
CHAPTER_YEARS = TREND_YEARS  # the report's year and the four before it


def chapter_figures_live(setting: Setting) -> ChapterFigures:
    """The chapters' figures as stored now."""
    return ChapterFigures(
        stored=stored_year_values([setting.node, *setting.units], KEYS, setting.years),
        nation=nation_by_year(setting.years, setting.municipality_code, KEYS, setting.basis),
        invited=invited_of(setting.node, setting.year, KEYS),
    )


@dataclass(frozen=True)
class FrozenRow:
    """A row that stores one chapter figure of a handed-in report (quality/reports/actions.py
    writes them as ReportFigure rows): of `kind` CHAPTER a node's stored figure, NATION the
    nation's (a number in `value`, else its marker in `suppression`), INVITED those invited to
    a survey at the report's node (the count in `n`)."""

    kind: str
    indicator: str
    year_id: int
    node_id: int | None = None
    value: float | None = None
    n: int | None = None
    suppression: str = ""
    data_version: int | None = None


def chapter_rows(setting: Setting, figures: ChapterFigures) -> list[FrozenRow]:
    """The rows that freeze `figures`: every stored figure (the node's and its units'), the
    nation's and those invited, in the setting's year."""
    rows = [
        FrozenRow(
            CHAPTER,
            key,
            year_id,
            node_id=node_id,
            value=v.value,
            n=v.n,
            suppression=v.suppression,
            data_version=v.data_version,
        )
        for (node_id, key, year_id), v in sorted(figures.stored.items())
    ]
    for (key, year_id), value in sorted(figures.nation.items(), key=lambda item: item[0]):
        number = as_number(value)
        rows.append(
            FrozenRow(
                NATION,
                key,
                year_id,
                value=float(number) if number is not None else None,
                suppression="" if number is not None else str(value),
            )
        )
    rows += [
        FrozenRow(INVITED, key, setting.year.pk, n=count)
        for key, count in sorted(figures.invited.items())
    ]
    return rows


def chapter_figures_frozen(rows: Iterable[FrozenRow]) -> ChapterFigures:
    """The chapters' figures from the rows a handed-in report stored (chapter_rows)."""
    stored: dict[tuple[int, str, int], StoredFigure] = {}
    nation: dict[tuple[str, int], Value] = {}
    invited: dict[str, int] = {}
    versions = [0]
    for row in rows:
        if row.kind == CHAPTER and row.node_id is not None:
            stored[(row.node_id, row.indicator, row.year_id)] = FrozenFigure(
                row.value, row.n, row.suppression, row.data_version
            )
            versions.append(row.data_version or 0)
        elif row.kind == NATION:
            nation[(row.indicator, row.year_id)] = (
                row.value if row.value is not None else row.suppression
            )
        elif row.kind == INVITED and row.n is not None:
            invited[row.indicator] = row.n
    return ChapterFigures(stored, nation, invited, frozen_at_version=max(versions))


def newer_than_frozen(setting: Setting, frozen: ChapterFigures) -> bool:
    """The stored figures of the chapters' nodes have been computed from a later import than
    the frozen ones (as the report page's notice of newer data)."""
    latest = chapter_figures_live(setting).data_version
    return latest is not None and latest > (frozen.frozen_at_version or 0)


def report_setting(report: QualityReport, template: Template) -> Setting:
    """The chapters' setting of a report's document over CHAPTER_YEARS: a unit's (the
    surveys' trends its template does not chart already; the staff figures as tables) or the
    organiser's (its report on the organiser's template: the kvalitetsredovisning, with its
    active units)."""
    node, year = report.node, report.academic_year
    organiser = organiser_of(node)
    units: list[Node] = []
    charted: frozenset[str] | None = None
    if node.kind == NodeKind.UNIT:
        charted = frozenset(
            key
            for group in SURVEY_GROUPS
            for key in group.charted
            if not any(
                chart.indicator == key for section in template.sections for chart in section.charts
            )
        )
    else:
        units = active_units(node)
    return Setting(
        node=node,
        years=years_up_to(year, CHAPTER_YEARS),
        units=units,
        basis=like_for_like(
            organiser.organiser_type, municipality_code=organiser.municipality_code
        ),
        municipality_code=organiser.municipality_code,
        charted=charted,
    )


def active_units(organiser: Node) -> list[Node]:
    """The organiser's active units, by name."""
    return list(
        Node.objects.filter(
            path_prefix_q("path", [organiser.path]), kind=NodeKind.UNIT, is_active=True
        ).order_by("name")
    )


def frozen_chapters(report: QualityReport) -> ChapterFigures | None:
    """The chapters' figures a handed-in report froze (None: a draft or returned report, or
    one handed in before the chapters were frozen with it)."""
    if not report.is_handed_in:
        return None
    rows = [
        FrozenRow(
            kind=f.kind,
            indicator=f.indicator,
            year_id=f.period_id,
            node_id=f.node_ref,
            value=f.value,
            n=f.n,
            suppression=f.suppression,
            data_version=f.data_version,
        )
        for f in report.figures.filter(kind__in=CHAPTER_KINDS)
    ]
    return chapter_figures_frozen(rows) if rows else None


def years_up_to(year: AcademicYear, count: int) -> list[AcademicYear]:
    """`year` and the `count` - 1 academic years before it, earliest first."""
    return list(
        AcademicYear.objects.filter(start_date__lte=year.start_date).order_by("-start_date")[:count]
    )[::-1]


def _node_forms(setting: Setting) -> set[str]:
    if setting.node.kind == NodeKind.UNIT:
        return set(setting.node.school_forms or ())
    return {form for unit in setting.units for form in (unit.school_forms or ())}


def invited_of(node: Node, year: AcademicYear, keys: Iterable[str]) -> dict[str, int]:
    """Indicator → how many were invited to the survey behind it at `node` (its units'
    respondent groups summed), in `year`."""
    wanted = {k.removeprefix("survey_"): k for k in keys if k.startswith("survey_")}
    if not wanted:
        return {}
    results = SurveyResult.objects.filter(academic_year=year)
    if node.kind == NodeKind.UNIT:
        results = results.filter(unit=node)
    else:
        results = results.filter(unit__in=Node.objects.filter(path_prefix_q("path", [node.path])))
    out: dict[str, int] = {}
    rows = results.values("survey", "index").annotate(invited=Sum("invited"))
    for row in rows:
        key = wanted.get(f"{row['survey']}_{row['index']}")
        if key is not None:
            out[key] = int(row["invited"] or 0)
    return out


def count_cell(figure: FigureCell, count: int | None) -> Cell:
    """A count beside a figure of the report's year (its n, or those invited to the survey):
    "–" beside a hidden or missing figure (n is never shown beside a marker)."""
    if count is None or figure.n is None or as_number(figure.shown) is None:
        return "–"
    return FigureCell(shown=count, unit="count")


def surveys_and_staff(
    document: Document,
    setting: Setting,
    *,
    figures: ChapterFigures | None = None,
    remark: str = "",
) -> None:
    """The two chapters: trygghet and studiero from the surveys; staff and certification,
    from `figures` (None: as stored now). `remark`, when given, follows each chapter's
    introduction (a unit's report says there whether these figures are frozen)."""
    forms = _node_forms(setting)
    figures = figures if figures is not None else chapter_figures_live(setting)
    document.add(
        Heading(_("Safety and study calm")),
        Paragraph(
            _(
                "The share of the respondents who agree with the survey's statements "
                "(stämmer helt och hållet or ganska bra), from the organiser's own surveys, over "
                "%(count)d academic years. A figure resting on fewer respondents than "
                "Skolverket's limit for pupils is hidden (..)."
            )
            % {"count": len(setting.years)}
        ),
    )
    if remark:
        document.add(Note(remark))
    _groups(document, setting, SURVEY_GROUPS, forms, figures, _("Surveys"))
    document.add(
        Heading(_("Staff and teacher certification")),
        Paragraph(
            _(
                "Staff, teachers' certification and groups over %(count)d academic years. These "
                "figures count staff, children and groups, not pupils' results, and are shown "
                "as they are."
            )
            % {"count": len(setting.years)}
        ),
    )
    if remark:
        document.add(Note(remark))
    _groups(document, setting, STAFF_GROUPS, forms, figures, _("Staff"))


def _groups(
    document: Document,
    setting: Setting,
    groups: tuple[Group, ...],
    forms: set[str],
    figures: ChapterFigures,
    what: str,
) -> None:
    stored, nation = figures.stored, figures.nation
    shown_any = False
    for group in groups:
        covered = forms & set(group.forms)
        has_figures = any(
            (setting.node.pk, key, year.pk) in stored
            for key in group.keys
            for year in setting.years
        )
        if not covered and not has_figures:
            continue
        shown_any = True
        # Figures of units whose school forms are not recorded: named by the registry's forms.
        label = school_forms_label(covered or group.forms)
        document.add(Heading(label, level=2))
        if not has_figures:
            document.add(
                Paragraph(
                    _(
                        "Skolkvalitet holds no figures of %(what)s for %(forms)s in "
                        "%(first)s–%(last)s."
                    )
                    % {
                        "what": what.lower(),
                        "forms": label.lower(),
                        "first": setting.years[0].code,
                        "last": setting.year.code,
                    }
                )
            )
            continue
        _trend_table(document, setting, group, label, what, figures)
        _charts(document, setting, group, stored, nation)
        if setting.units:
            _units_table(document, setting, group, label, what, stored)
    if not shown_any:
        document.add(
            Paragraph(
                _("%(node)s runs none of the school forms these figures are kept for.")
                % {"node": setting.node.name}
            )
        )


def _trend_table(
    document: Document,
    setting: Setting,
    group: Group,
    label: str,
    what: str,
    figures: ChapterFigures,
) -> None:
    stored, nation = figures.stored, figures.nation
    year = setting.year
    surveyed = group.n_label == RESPONDENTS  # a survey: those invited beside the respondents
    invited = figures.invited if surveyed else {}
    rows: list[tuple[Cell, ...]] = []
    for key in group.keys:
        cells = [year_cell(stored, setting.node, key, y) for y in setting.years]
        rows.append(
            (
                REGISTRY[key].name_sv,
                *cells,
                count_cell(cells[-1], cells[-1].n),
                *([count_cell(cells[-1], invited.get(key))] if surveyed else []),
                reference_cell(key, nation.get((key, year.pk))),
            )
        )
    published = [REGISTRY[k].name_sv for k in group.keys if (k, year.pk) in nation]
    invited_label = _("Invited")
    basis = str(BASIS_LABELS[setting.basis])
    notes = [
        _("Source: %(source)s.") % {"source": source_sv(group.keys[0])},
        (
            _(
                "Respondents and invited: those who answered the survey of %(year)s and those "
                "asked to; not given beside a hidden figure."
            )
            % {"year": year.code}
            if surveyed
            else _("%(n)s: what the figure of %(year)s rests on; not given beside a hidden figure.")
            % {"n": _(group.n_label), "year": year.code}
        ),
        (
            _("The nation: Skolverket's published figure for %(basis)s, %(year)s.")
            % {"basis": basis, "year": year.code}
            if published
            else _(
                "The nation: Skolkvalitet holds no published figure of these indicators for "
                "%(basis)s in %(year)s ('.')."
            )
            % {"basis": basis, "year": year.code}
        ),
    ]
    document.add(
        Table(
            caption=_("%(what)s, %(forms)s, %(first)s–%(last)s")
            % {
                "what": what,
                "forms": label.lower(),
                "first": setting.years[0].code,
                "last": year.code,
            },
            columns=(
                _("Indicator"),
                *(y.code for y in setting.years),
                f"{_(group.n_label)} {year.code}",
                *([f"{invited_label} {year.code}"] if surveyed else []),
                _("The nation %(year)s") % {"year": year.code},
            ),
            rows=tuple(rows),
            notes=tuple(notes),
        )
    )


def _charts(
    document: Document,
    setting: Setting,
    group: Group,
    stored: Mapping[tuple[int, str, int], StoredFigure],
    nation: Mapping[tuple[str, int], Value],
) -> None:
    for key in setting.charts(group):
        indicator = REGISTRY[key]
        own = [year_cell(stored, setting.node, key, y) for y in setting.years]
        if not any(as_number(cell.shown) is not None for cell in own):
            continue
        national = [(y.code, nation.get((key, y.pk))) for y in setting.years]
        spec = trend_chart(
            [(y.code, cell.shown) for y, cell in zip(setting.years, own, strict=True)],
            title=indicator.name_sv,
            unit=indicator.unit,
            name=setting.node.name,
            references=(
                {str(_("The nation")): national}
                if any(as_number(v) is not None for _code, v in national)
                else None
            ),
        )
        document.add(Chart(spec, figures=tuple(own)))


def _units_table(
    document: Document,
    setting: Setting,
    group: Group,
    label: str,
    what: str,
    stored: Mapping[tuple[int, str, int], StoredFigure],
) -> None:
    year = setting.year
    units = [
        unit
        for unit in setting.units
        if any((unit.pk, key, year.pk) in stored for key in group.keys)
    ]
    if not units:
        return
    # The school form of each unit where the figures cover more than one.
    several = len({f for u in units for f in (u.school_forms or ()) if f in group.forms}) > 1
    rows: tuple[tuple[Cell, ...], ...] = tuple(
        (
            unit.name,
            *(
                [school_forms_label(set(unit.school_forms or ()) & set(group.forms))]
                if several
                else []
            ),
            *(year_cell(stored, unit, key, year) for key in group.keys),
        )
        for unit in units
    )
    document.add(
        Table(
            caption=_("%(what)s per unit, %(forms)s, %(year)s")
            % {"what": what, "forms": label.lower(), "year": year.code},
            columns=(
                _("Unit"),
                *([_("School form")] if several else []),
                *(REGISTRY[k].name_sv for k in group.keys),
            ),
            rows=rows,
            notes=(
                _(
                    "Every unit with one of these figures in %(year)s. A unit's figure resting "
                    "on fewer than %(min_n)d respondents is hidden (..); its n is in the "
                    "unit's own report."
                )
                % {
                    "year": year.code,
                    "min_n": REGISTRY[group.keys[0]].min_n_at(Level.UNIT, year.start_date.year),
                }
                if group.family == str(Family.SURVEYS)
                else _("Every unit with one of these figures in %(year)s.") % {"year": year.code},
            ),
        )
    )
