"""The organiser's kvalitetsredovisning for an academic year, as a document for the board:
the year's key figures against the nation, knowledge results over five years, equity
(the gaps between groups of pupils), every unit's results, the status of every development
goal, and the units' quality reports. Every figure is the organiser's or a unit's stored
value as the board sees it (suppressed by its stored marker), every comparison names the
year, the schools it covers (typ av huvudman) and its source. The text states figures only;
it never gives a cause (the units' and the organiser's analyses do that)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.utils import timezone
from django.utils.translation import gettext as _

from skolkvalitet.dashboards.breakdowns import BASIS_LABELS, breakdown_label
from skolkvalitet.dashboards.selectors.overview import ReferenceRow, year_references
from skolkvalitet.indicators.registry import PAGES, REGISTRY
from skolkvalitet.organisation.models import AcademicYear, Node
from skolkvalitet.publishing.charts.trend import trend_chart
from skolkvalitet.publishing.documents.model import (
    BulletList,
    Chart,
    Document,
    FigureCell,
    Heading,
    Note,
    Paragraph,
    Table,
)
from skolkvalitet.publishing.formatting import as_number, format_value
from skolkvalitet.quality.common_model import ORGANISER_FORM
from skolkvalitet.quality.documents import surveys_staff
from skolkvalitet.quality.documents.figures import (
    StoredFigure,
    reference_cell,
    stored_year_values,
    year_cell,
)
from skolkvalitet.quality.documents.surveys_staff import (
    ChapterFigures,
    Setting,
    active_units,
    chapter_figures_live,
    frozen_chapters,
    newer_than_frozen,
    surveys_and_staff,
    years_up_to,
)
from skolkvalitet.quality.documents.text import text_blocks
from skolkvalitet.quality.documents.unit_report import STATUS_NAMES
from skolkvalitet.quality.models import DevelopmentGoal, ProblemArea, QualityReport
from skolkvalitet.quality.plans.selectors import goal_progress
from skolkvalitet.quality.practices.selectors import practices_of_year
from skolkvalitet.quality.reports.export import template_of
from skolkvalitet.reference.comparison import Basis, like_for_like

YEARS = 5  # knowledge results over the year and the four before it
KEYS = PAGES.overview_for_year  # merit value, passed all subjects, eligible, absence
EQUITY_KEYS = ("merit_value_17", "passed_all_subjects")
EQUITY_GROUPS = (
    ("gender=F", "gender=M"),
    ("parents_education=3", "parents_education=1"),
    ("newly_arrived=no", "newly_arrived=yes"),
)
CHARTED = ("merit_value_17", "passed_all_subjects")
# The summary's figures besides the key figures: trygghet, studiero and certified teachers.
SUMMARY_MORE = ("survey_pupil_safety", "survey_pupil_study_calm", "certified_teachers_share")
NATION_KEYS = (*KEYS, *SUMMARY_MORE)  # the nation's figures read for each year
# The sources of the key figures as the board reads them (the registry's citations, with
# their English remarks left out: indicators/registry.py has the full ones).
SOURCES_SV = {
    "merit_value_17": "Skolverket, ”17 ämnen ger nytt meritvärde” (skolverket.se, statistik)",
    "passed_all_subjects": "Skolverket, Betyg och prov i grundskolan, definitioner",
    "eligible_vocational": "Skollagen (2010:800) 16 kap. 29–31 §§; Skolverket",
    "absence_mean_year": (
        "Skolverket, Frånvaro i grundskolan; elevernas genomsnittliga frånvaro, giltig och "
        "ogiltig, som andel av schemalagd tid"
    ),
}


@dataclass
class _Context:
    organiser: Node
    year: AcademicYear
    years: list[AcademicYear]
    units: list[Node]
    basis: Basis
    nation: dict[int, ReferenceRow | None]  # year id → the nation's published row
    # The organiser's handed-in report whose frozen figures the survey and staff chapters
    # show (None: they show the stored figures now, as the key figures do).
    frozen_with: QualityReport | None = None

    def nation_value(self, key: str, year: AcademicYear):
        row = self.nation.get(year.pk)
        if row is None:
            return None
        value = row.values[NATION_KEYS.index(key)]
        return value


def annual_report_document(organiser: Node, year: AcademicYear) -> Document:
    years = years_up_to(year, YEARS)
    basis = like_for_like(organiser.organiser_type, municipality_code=organiser.municipality_code)
    nation = {}
    for y in years:
        rows = year_references(y, organiser.municipality_code, NATION_KEYS, "", basis)
        nation[y.pk] = next((r for r in rows if r.area == "nation"), None)
    ctx = _Context(organiser, year, years, active_units(organiser), basis, nation)
    setting = Setting(
        node=organiser,
        years=years,
        units=ctx.units,
        basis=basis,
        municipality_code=organiser.municipality_code,
    )
    setting, chapters, remark, ctx.frozen_with = _chapter_figures(ctx, setting)
    # The key figures as stored now; those of the surveys and staff chapters (the summary
    # gives some) as the chapters show them: frozen with the organiser's handed-in report.
    stored: dict[tuple[int, str, int], StoredFigure] = {
        **stored_year_values([organiser, *ctx.units], KEYS, years),
        **chapters.stored,
    }
    document = Document(
        title=_("Kvalitetsredovisning %(year)s") % {"year": year.code},
        organiser=organiser.name,
        subtitle=_("The organiser's annual quality report to the board"),
        audience=_(
            "Figures are shown as to the board: groups too small to publish are hidden by "
            "Skolverket's rules (.. hidden, ~100 nearly all, . no figure)."
        ),
        generated_at=timezone.localtime(),
        data_version=max((v.data_version or 0 for v in stored.values()), default=None) or None,
    )
    _about(document, ctx)
    _summary(document, ctx, stored)
    _organiser_analysis(document, ctx)
    _knowledge(document, ctx, stored)
    _tests_against_grades(document, ctx)
    surveys_and_staff(document, setting, figures=chapters, remark=remark)
    _equity(document, ctx)
    _units_results(document, ctx, stored)
    _goals(document, ctx)
    _reports(document, ctx)
    _practices(document, ctx)
    _sources(document, ctx)
    return document


def _organiser_report(ctx: _Context) -> QualityReport | None:
    """The organiser's own report of the year (on the organiser's template), if written."""
    return (
        QualityReport.objects.filter(
            node=ctx.organiser, academic_year=ctx.year, template__school_form=ORGANISER_FORM
        )
        .select_related("template")
        .first()
    )


def _chapter_figures(
    ctx: _Context, setting: Setting
) -> tuple[Setting, ChapterFigures, str, QualityReport | None]:
    """The survey and staff chapters' setting, figures, remark and the report they were
    frozen with: the organiser's handed-in report (its units those it froze figures of; the
    report page's note when the figures have been computed from a later import since), else
    as stored now (no report)."""
    report = _organiser_report(ctx)
    frozen = frozen_chapters(report) if report is not None else None
    if report is None or frozen is None:
        remark = ""
        if report is not None:
            remark = (
                _(
                    "The figures of this chapter are the stored figures when the document was "
                    "produced: the organiser's report was submitted before these chapters were "
                    "frozen with it."
                )
                if report.is_handed_in
                else _(
                    "The figures of this chapter are the stored figures when the document was "
                    "produced; they are frozen with the organiser's report when it is submitted."
                )
            )
        return setting, chapter_figures_live(setting), remark, None
    remark = _("The figures of this chapter were frozen when the organiser's report was submitted.")
    if newer_than_frozen(setting, frozen):
        remark += " " + _(
            "Newer data have been imported since; the result pages show the figures as they "
            "are now."
        )
    frozen_units = {node_id for node_id, _key, _year in frozen.stored} - {ctx.organiser.pk}
    units = list(Node.objects.filter(pk__in=frozen_units).order_by("name"))
    return replace(setting, units=units), frozen, remark, report


def _basis_text(ctx: _Context) -> str:
    return str(BASIS_LABELS[ctx.basis])


def _about(document: Document, ctx: _Context) -> None:
    document.add(
        Heading(_("About the report")),
        Paragraph(
            _(
                "This is %(organiser)s's kvalitetsredovisning for the academic year %(year)s: "
                "the results of the organiser and its %(units)d units, compared with the nation, "
                "the status of the development goals and the units' quality reports. Skollagen "
                "(2010:800) 4 kap. 3–6 §§ asks the organiser to follow up, analyse and document "
                "its quality work."
            )
            % {"organiser": ctx.organiser.name, "year": ctx.year.code, "units": len(ctx.units)}
        ),
        Paragraph(
            _(
                "The nation's figures are Skolverket's published figures for %(basis)s, the "
                "same kind of schools as the organiser's own (typ av huvudman), for the same "
                "academic year. Where the nation's figure for a year has not been imported, "
                "the table shows '.'."
            )
            % {"basis": _basis_text(ctx)}
        ),
    )


def _change_text(key: str, now, before) -> str:
    """The change between two shown figures: "+1,2 procentenheter", "−0,6 poäng", "±0,0"."""
    a, b = as_number(now), as_number(before)
    if a is None or b is None:
        return ""
    indicator = REGISTRY[key]
    change = round(a - b, 1)
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    number = format_value(abs(change), "points")
    if indicator.is_percent:
        return _("%(sign)s%(number)s percentage points") % {"sign": sign, "number": number}
    return f"{sign}{number}"


def _summary(document: Document, ctx: _Context, stored) -> None:
    year, previous = ctx.year, (ctx.years[-2] if len(ctx.years) > 1 else None)
    items = []
    shown_keys: set[str] = set()
    for key in (*KEYS, *SUMMARY_MORE):
        now = year_cell(stored, ctx.organiser, key, year)
        if isinstance(now.shown, str):
            continue
        shown_keys.add(key)
        parts = [f"{REGISTRY[key].name_sv} {year.code}: {now.text}"]
        if previous is not None:
            before = year_cell(stored, ctx.organiser, key, previous)
            change = _change_text(key, now.shown, before.shown)
            if change:
                parts.append(
                    _("%(change)s since %(year)s") % {"change": change, "year": previous.code}
                )
        nation = ctx.nation_value(key, year)
        if as_number(nation) is not None:
            parts.append(
                _("the nation %(value)s (%(basis)s)")
                % {"value": format_value(nation, REGISTRY[key].unit), "basis": _basis_text(ctx)}
            )
        items.append(", ".join(parts))
    reports = _report_statuses(ctx)
    approved = sum(1 for r in reports.values() if r.status == "approved")
    items.append(
        _("%(approved)d of %(units)d units have an approved quality report for %(year)s.")
        % {"approved": approved, "units": len(ctx.units), "year": year.code}
    )
    goals = _goal_rows(ctx)
    if goals:
        met = sum(1 for _row, verdict in goals if verdict == "met")
        items.append(
            _("%(goals)d development goals for %(year)s; %(met)d evaluated as met.")
            % {"goals": len(goals), "year": year.code, "met": met}
        )
    document.add(Heading(_("Summary")), BulletList(tuple(items)))
    shown_frozen = [REGISTRY[key].name_sv for key in SUMMARY_MORE if key in shown_keys]
    if ctx.frozen_with is not None and shown_frozen:
        submitted = ctx.frozen_with.submitted_at
        # Two kinds of figure above: say which is which (review finding, issue 16).
        names = (
            shown_frozen[0]
            if len(shown_frozen) == 1
            else _("%(some)s and %(last)s")
            % {"some": ", ".join(shown_frozen[:-1]), "last": shown_frozen[-1]}
        )
        text = (
            _(
                "%(figures)s: the figures frozen with the organiser's quality report when it "
                "was submitted on %(day)s, as in their chapters. The other figures are as "
                "stored when this document was produced."
            )
            % {"figures": names, "day": timezone.localdate(submitted).isoformat()}
            if submitted is not None
            else _(
                "%(figures)s: the figures frozen with the organiser's quality report when it "
                "was submitted, as in their chapters. The other figures are as stored when "
                "this document was produced."
            )
            % {"figures": names}
        )
        document.add(Paragraph(text))


def _organiser_analysis(document: Document, ctx: _Context) -> None:
    """The organiser's own report (the "huvudman" template): the förvaltning's analysis and
    decided priorities, section by section, with its status."""
    report = _organiser_report(ctx)
    document.add(Heading(_("The organiser's analysis and priorities")))
    if report is None:
        document.add(
            Paragraph(
                _("The organiser has not written its analysis for %(year)s in Skolkvalitet.")
                % {"year": ctx.year.code}
            )
        )
        return
    document.add(
        Note(
            _("Written by the förvaltning on the template %(template)s. Status: %(status)s.")
            % {"template": report.template.name, "status": _(STATUS_NAMES[report.status])}
        )
    )
    texts = {s.key: s.text for s in report.sections.all()}
    for section in template_of(report.template).sections:
        blocks = text_blocks(texts.get(section.key, ""))
        if blocks:
            document.add(Heading(section.title, level=2), *blocks)


def _knowledge(document: Document, ctx: _Context, stored) -> None:
    document.add(
        Heading(_("Results in compulsory school")),
        Paragraph(
            _(
                "The organiser's results over %(count)d academic years beside the nation's "
                "(%(basis)s). The leaving certificates of year 9 (merit value, passed all "
                "subjects, eligible for a vocational programme) and the mean absence."
            )
            % {"count": len(ctx.years), "basis": _basis_text(ctx)}
        ),
    )
    for key in KEYS:
        indicator = REGISTRY[key]
        rows = []
        for y in ctx.years:
            rows.append(
                (
                    y.code,
                    year_cell(stored, ctx.organiser, key, y),
                    reference_cell(key, ctx.nation_value(key, y)),
                )
            )
        document.add(
            Heading(indicator.name_sv, level=2),
            Table(
                caption=_("%(indicator)s per academic year") % {"indicator": indicator.name_sv},
                columns=(_("Academic year"), ctx.organiser.name, _("The nation")),
                rows=tuple(rows),
                notes=(
                    _("Source: the organiser's own data; the nation: Skolverket (%(basis)s).")
                    % {"basis": _basis_text(ctx)},
                ),
            ),
        )
        if key in CHARTED:
            own = [row[1] for row in rows]
            spec = trend_chart(
                [(y.code, cell.shown) for y, cell in zip(ctx.years, own, strict=True)],
                title=indicator.name_sv,
                unit=indicator.unit,
                name=ctx.organiser.name,
                references=(
                    {
                        str(_("The nation")): [
                            (y.code, row[2].shown) for y, row in zip(ctx.years, rows, strict=True)
                        ]
                    }
                    if any(as_number(row[2].shown) is not None for row in rows)
                    else None
                ),
            )
            document.add(Chart(spec, figures=tuple(own)))


TEST_SUBJECTS = (
    ("SV", "Svenska"),
    ("SVA", "Svenska som andraspråk"),
    ("EN", "Engelska"),
    ("MA", "Matematik"),
)
TEST_OUTCOMES = ("lower", "same", "higher")


def _tests_against_grades(document: Document, ctx: _Context) -> None:
    """The year-9 final grade against the grade of the national test, per subject: the shares
    of pupils whose final grade is lower than, the same as and higher than the test grade."""
    keys = [f"test_vs_grade_{o}_{s}" for s, _name in TEST_SUBJECTS for o in TEST_OUTCOMES]
    stored = stored_year_values([ctx.organiser], keys, [ctx.year])
    rows: list[tuple[str | FigureCell, ...]] = []
    for subject, name in TEST_SUBJECTS:
        if not any(
            (ctx.organiser.pk, f"test_vs_grade_{o}_{subject}", ctx.year.pk) in stored
            for o in TEST_OUTCOMES
        ):
            continue
        rows.append(
            (
                name,
                *(
                    year_cell(stored, ctx.organiser, f"test_vs_grade_{o}_{subject}", ctx.year)
                    for o in TEST_OUTCOMES
                ),
            )
        )
    if not rows:
        return
    document.add(
        Heading(_("Final grades against the national tests"), level=2),
        Paragraph(
            _(
                "The share of the pupils in year 9 with both a final grade and a test grade in "
                "the subject whose final grade is lower than, the same as or higher than their "
                "test grade, %(year)s."
            )
            % {"year": ctx.year.code}
        ),
        Table(
            caption=_("Final grade compared with the test grade, %(year)s")
            % {"year": ctx.year.code},
            columns=(_("Subject"), _("Lower"), _("The same"), _("Higher")),
            rows=tuple(rows),
            notes=(_("Source: the organiser's own data, as Skolverket compares them."),),
        ),
    )


def _equity(document: Document, ctx: _Context) -> None:
    document.add(
        Heading(_("Equity")),
        Paragraph(
            _(
                "The organiser's results for groups of pupils in %(year)s and the gap between "
                "them (percentage points or merit points). A gap is given only where both "
                "groups' figures may be shown."
            )
            % {"year": ctx.year.code}
        ),
    )
    for key in EQUITY_KEYS:
        indicator = REGISTRY[key]
        rows: list[tuple[str | FigureCell, ...]] = []
        for first, second in EQUITY_GROUPS:
            cells = {}
            for code in (first, second):
                values = stored_year_values([ctx.organiser], [key], ctx.years, breakdown=code)
                cells[code] = [year_cell(values, ctx.organiser, key, y) for y in ctx.years]
            for code in (first, second):
                rows.append((breakdown_label(code), *cells[code]))
            gaps = []
            for a, b in zip(cells[first], cells[second], strict=True):
                x, y = as_number(a.shown), as_number(b.shown)
                gaps.append(
                    format_value(x - y, indicator.unit) if x is not None and y is not None else "."
                )
            rows.append(
                (
                    _("Gap: %(a)s − %(b)s")
                    % {"a": breakdown_label(first), "b": breakdown_label(second)},
                    *gaps,
                )
            )
        document.add(
            Heading(indicator.name_sv, level=2),
            Table(
                caption=_("%(indicator)s by group of pupils") % {"indicator": indicator.name_sv},
                columns=(_("Group"), *(y.code for y in ctx.years)),
                rows=tuple(rows),
            ),
        )


def _units_results(document: Document, ctx: _Context, stored) -> None:
    with_figures = [
        unit for unit in ctx.units if any((unit.pk, k, ctx.year.pk) in stored for k in KEYS)
    ]
    rows: tuple[tuple[str | FigureCell, ...], ...] = tuple(
        (unit.name, *(year_cell(stored, unit, key, ctx.year) for key in KEYS))
        for unit in with_figures
    )
    without = len(ctx.units) - len(with_figures)
    document.add(
        Heading(_("The units' results")),
        Table(
            caption=_("The units' results %(year)s") % {"year": ctx.year.code},
            columns=(_("Unit"), *(REGISTRY[k].name_sv for k in KEYS)),
            rows=rows,
            notes=(
                _(
                    "%(count)d units have none of these figures for the year (they have no "
                    "year 9) and are left out; '.' is a figure missing for a unit."
                )
                % {"count": without},
            ),
        ),
    )


def _goal_rows(ctx: _Context) -> list[tuple[tuple[str, ...], str]]:
    """Each goal's row and its verdict ("" when not evaluated)."""
    goals = (
        DevelopmentGoal.objects.filter(
            area__academic_year=ctx.year,
            area__node__in=[ctx.organiser, *ctx.units],
        )
        .select_related("area__node", "target", "evaluation")
        .order_by("area__node__name", "area__priority", "pk")
    )
    rows: list[tuple[tuple[str, ...], str]] = []
    for goal in goals:
        progress = goal_progress(goal, pupil_access=False, until=ctx.year.end_date)
        indicator = REGISTRY.get(goal.indicator)
        latest = "."
        target = "–"
        share = "–"
        if progress is not None and indicator is not None:
            latest = format_value(progress.latest.shown, indicator.unit) if progress.latest else "."
            target = (
                format_value(progress.target, indicator.unit)
                if progress.target is not None
                else "–"
            )
            share = f"{progress.share:.0f} %" if progress.share is not None else "–"
        evaluation = getattr(goal, "evaluation", None)
        row = (
            goal.area.node.name,
            goal.title,
            indicator.name_sv if indicator else _("Qualitative"),
            target,
            latest,
            share,
            str(evaluation.get_verdict_display()) if evaluation else str(_("Not evaluated")),
        )
        rows.append((row, evaluation.verdict if evaluation else ""))
    return rows


def _goals(document: Document, ctx: _Context) -> None:
    rows = [row for row, _verdict in _goal_rows(ctx)]
    document.add(Heading(_("Development goals")))
    if not rows:
        document.add(
            Paragraph(
                _("No development goals are recorded for %(year)s.") % {"year": ctx.year.code}
            )
        )
        return
    document.add(
        Paragraph(
            _(
                "Every development goal of the organiser and the units for %(year)s. The progress "
                "is computed from the figures (the share of the way from the baseline to the "
                "target at the end of the year), never typed; a goal whose figure is hidden for "
                "the board shows no share."
            )
            % {"year": ctx.year.code}
        ),
        Table(
            caption=_("Development goals %(year)s") % {"year": ctx.year.code},
            columns=(
                _("Unit"),
                _("Goal"),
                _("Indicator"),
                _("Target"),
                _("Latest value"),
                _("Of the way"),
                _("Evaluation"),
            ),
            rows=tuple(rows),
        ),
    )


def _report_statuses(ctx: _Context) -> dict[int, QualityReport]:
    return {
        r.node_id: r
        for r in QualityReport.objects.filter(academic_year=ctx.year, node__in=ctx.units)
    }


def _reports(document: Document, ctx: _Context) -> None:
    reports = _report_statuses(ctx)
    areas: dict[int, list[str]] = {}
    for area in ProblemArea.objects.filter(academic_year=ctx.year, node__in=ctx.units).order_by(
        "priority", "pk"
    ):
        areas.setdefault(area.node_id, []).append(area.title)
    rows = []
    for unit in ctx.units:
        report = reports.get(unit.pk)
        status = _(STATUS_NAMES[report.status]) if report else _("Not started")
        rows.append((unit.name, status, "; ".join(areas.get(unit.pk, [])) or "–"))
    document.add(
        Heading(_("The units' quality reports")),
        Table(
            caption=_("The units' quality reports %(year)s") % {"year": ctx.year.code},
            columns=(_("Unit"), _("Status"), _("Prioritised areas")),
            rows=tuple(rows),
        ),
    )


def _practices(document: Document, ctx: _Context) -> None:
    """The practices the units shared with the whole organiser during the year (dela-kultur)."""
    practices = practices_of_year(ctx.organiser, ctx.year)
    document.add(Heading(_("Shared practices")))
    if not practices:
        document.add(Paragraph(_("No practice was shared in %(year)s.") % {"year": ctx.year.code}))
        return
    document.add(
        Paragraph(
            _(
                "The practices the units shared with the whole organiser in %(year)s, so that "
                "others can try them: what they did, for whom and whom to ask."
            )
            % {"year": ctx.year.code}
        )
    )
    for practice in practices:
        items = [_("For whom: %(text)s") % {"text": practice.for_whom}] if practice.for_whom else []
        if practice.material:
            items.append(_("Material: %(text)s") % {"text": practice.material})
        if practice.contact:
            items.append(_("Contact: %(text)s") % {"text": practice.contact})
        document.add(
            Heading(f"{practice.title} – {practice.node.name}", level=2),
            *text_blocks(practice.what),
        )
        if items:
            document.add(BulletList(tuple(items)))


def _sources(document: Document, ctx: _Context) -> None:
    items = tuple(
        [f"{REGISTRY[k].name_sv}: {SOURCES_SV.get(k, REGISTRY[k].source)}" for k in KEYS]
        + [f"{REGISTRY[k].name_sv}: {surveys_staff.source_sv(k)}" for k in surveys_staff.KEYS]
    )
    document.add(
        Heading(_("Sources and definitions")),
        Paragraph(
            _(
                "Every figure is computed as Skolverket defines it, from the organiser's own "
                "data; each indicator's definition and the publication it follows are in "
                "Skolkvalitet's documentation of the indicators. The sources:"
            )
        ),
        BulletList(items),
        Note(
            _(
                "Small numbers: a figure resting on too few pupils is not shown ('..'), nor a "
                "figure from which a hidden one could be computed; a share that only 1–4 pupils "
                "miss is shown as '~100' (Skolverket's rules for published statistics)."
            )
        ),
    )
