"""The result follow-up pages: the organiser's overview, the unit page and its groups
fragment, the group page and the lists of pupils who need support, with their charts and
downloadable tables. Views read the request, ask the selectors with the user's scope and
render; nothing here computes figures."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from skolkvalitet.dashboards.breakdowns import (
    BASIS_LABELS,
    BREAKDOWN_LABELS,
    UNIT_DIMENSIONS,
    breakdown_label,
)
from skolkvalitet.dashboards.page_responses import fragment_response, page_response
from skolkvalitet.dashboards.selectors.group import GroupPage, group_page, groups_in_scope
from skolkvalitet.dashboards.selectors.overview import (
    LIKE_FOR_LIKE,
    Overview,
    overview_at_point,
    overview_for_year,
)
from skolkvalitet.dashboards.selectors.periods import (
    fact_years,
    points_with_values,
    years_with_values,
)
from skolkvalitet.dashboards.selectors.series import Section, SeriesRow
from skolkvalitet.dashboards.selectors.unit import UnitGroups, UnitPage, unit_page
from skolkvalitet.dashboards.selectors.unit import unit_groups as unit_groups_of
from skolkvalitet.dashboards.selectors.year_facts import overview_facts
from skolkvalitet.dashboards.target_views import may_set_targets
from skolkvalitet.indicators.distribution import GRADE_ORDER, Distribution
from skolkvalitet.indicators.registry import Family, Indicator
from skolkvalitet.organisation.audit import audit_record
from skolkvalitet.organisation.models import AcademicYear, FollowUpPoint, Node, NodeKind
from skolkvalitet.organisation.models.nodes import SchoolForm
from skolkvalitet.organisation.scopes import Scope, scope_for_request
from skolkvalitet.publishing.charts.comparison import comparison_chart
from skolkvalitet.publishing.charts.distribution import distribution_chart
from skolkvalitet.publishing.charts.national_tests import TestVsGrade, test_vs_grade_chart
from skolkvalitet.publishing.charts.trend import breakdown_trend_chart, trend_chart
from skolkvalitet.publishing.formatting import Value
from skolkvalitet.publishing.tables import Cell, Column, Kind, Table, table_download_response
from skolkvalitet.reference.comparison import BASIS_BY_SLUG, Basis
from skolkvalitet.results.selectors import (
    CRITERIA,
    CRITERION_ABSENCE,
    CRITERION_SUBJECTS,
    SORT_ABSENCE,
    SORT_GROUP,
    SORT_NAME,
    SORT_SUBJECTS,
    SORTS,
    PupilAtRisk,
    filter_pupils,
    points_with_assessments,
    pupils_enrolled,
    sort_pupils,
    support_list,
)
from skolkvalitet.results.selectors import pupil_history as pupil_history_of
from skolkvalitet.results.subjects import subject_name


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    scope = scope_for_request(request)
    if scope.is_empty:
        raise Http404
    if not scope.top_nodes().exclude(kind=NodeKind.GROUP).exists():
        # Someone whose grants are all on groups (a teacher) starts from their groups.
        groups = groups_in_scope(scope)
        return render(request, "dashboards/my_groups.html", {"groups": groups})
    export = request.GET.get("format")
    if export:
        context = overview_context(scope, request.GET)
        data = context["data"]
        if isinstance(data, Overview):
            return table_download_response(
                overview_table(data),
                export,
                f"resultatuppfoljning {data.period.label}".replace("/", "-"),  # 2024/25 whole
            )
    if request.headers.get("HX-Request"):
        return fragment_response(
            request,
            view="overview",
            scope=scope,
            render_body=lambda: overview_body(scope, request.GET, partial=True),
        )
    return page_response(
        request,
        "dashboards/overview.html",
        {},
        view="overview",
        scope=scope,
        render_body=lambda: overview_body(scope, request.GET),
    )


def overview_body(scope: Scope, query: QueryDict, *, partial: bool = False) -> str:
    """The overview's content (or, for htmx, its table), rendered without the request: what
    the page cache keeps."""
    template = "dashboards/_overview_table.html" if partial else "dashboards/_overview_body.html"
    return render_to_string(template, overview_context(scope, query))


def overview_context(scope: Scope, query: QueryDict) -> dict[str, object]:
    """The overview's figures and filters for the query `?punkt=`, `?lasar=`, `?omrade=`,
    `?skolform=`, `?grupp=`, `?jamfor=`, `?diagram=`."""
    points = points_with_values()
    # The years with final grades, and those with only surveys or staff figures.
    with_facts = fact_years()
    years = sorted({*years_with_values(), *with_facts}, key=lambda y: y.start_date)
    breakdown = query.get("grupp", "")
    if breakdown not in LIKE_FOR_LIKE:
        breakdown = ""
    area_id = _int(query.get("omrade"))
    school_form = query.get("skolform") or None
    if school_form not in SchoolForm.values:
        school_form = None
    year_id = _int(query.get("lasar"))
    basis = BASIS_BY_SLUG.get(query.get("jamfor", ""))
    data: Overview | None
    if year_id:
        year = get_object_or_404(AcademicYear, pk=year_id)
        data = overview_for_year(
            scope,
            year,
            basis=basis,
            breakdown=breakdown,
            area_id=area_id,
            school_form=school_form,
        )
    elif points:
        point_id = _int(query.get("punkt"))
        point = next((p for p in points if p.pk == point_id), points[-1])
        data = overview_at_point(
            scope, point, breakdown=breakdown, area_id=area_id, school_form=school_form
        )
    else:
        data = None
    areas = (
        Node.objects.filter(kind=NodeKind.AREA).filter(
            pk__in=[row.area.pk for row in data.rows if row.area]
        )
        if data
        else []
    )
    context: dict[str, object] = {
        "data": data,
        "points": points[::-1],
        "years": years[::-1],
        "areas": areas,
        "school_forms": [(f.value, f.label) for f in SchoolForm],
        "breakdowns": [(code, BREAKDOWN_LABELS[code]) for code in ("", *LIKE_FOR_LIKE)],
        "bases": [(b.slug, BASIS_LABELS[b]) for b in Basis],
        "basis_label": BASIS_LABELS[data.reference_basis] if data and data.reference_basis else "",
        "selected": {
            "point": data.period.id if data and data.period.kind == "point" else None,
            "year": year_id,
            "area": area_id,
            "school_form": school_form,
            "breakdown": breakdown,
            "basis": data.reference_basis.slug if data and data.reference_basis else "",
        },
        "may_set_targets": may_set_targets(scope),
    }
    if data and data.indicators:
        chart_key = query.get("diagram", "")
        chosen = next((i for i in data.indicators if i.key == chart_key), data.indicators[0])
        context["chart_indicator"] = chosen.key
        context["chart"] = overview_chart(data, chosen.key)
    facts_year = _facts_year(data, points, years, with_facts)
    if facts_year is not None and with_facts:
        context["facts"] = overview_facts(
            scope,
            facts_year,
            area_id=area_id,
            school_form=school_form,
            basis=basis,
        )
    context["export_query"] = query.urlencode()
    return context


def _facts_year(
    data: Overview | None,
    points: list[FollowUpPoint],
    years: list[AcademicYear],
    with_facts: list[AcademicYear],
) -> AcademicYear | None:
    """The academic year whose surveys and staff figures the overview shows: the year shown,
    or the academic year of the follow-up point shown (else the latest with such figures)."""
    if data is not None and data.period.kind == "year":
        return next((y for y in years if y.pk == data.period.id), None)
    if data is not None and data.period.kind == "point":
        point = next((p for p in points if p.pk == data.period.id), None)
        if point is not None:
            return point.term.academic_year
    return with_facts[-1] if with_facts else None


def overview_chart(data: Overview, key: str) -> dict:
    """The units side by side for one of the overview's indicators, in the table's order
    (by area and name: a comparison, not a ranking), with the organiser's figure as a rule
    and each unit's target (its own or the nearest above it) as a mark on its bar."""
    column = [i.key for i in data.indicators].index(key)
    indicator = data.indicators[column]
    organiser = data.organiser.cells[column].shown if data.organiser else None
    pupils = f" – {BREAKDOWN_LABELS[data.breakdown]}" if data.breakdown else ""
    return comparison_chart(
        [(row.node.name, row.cells[column].shown) for row in data.rows],
        title=f"{indicator_label(indicator, data.period.kind)}, {data.period.label}{pupils}",
        unit=indicator.unit,
        organiser=organiser,
        organiser_label=data.organiser.name if data.organiser else "",
        targets={
            row.node.name: row.cells[column].target
            for row in data.rows
            if row.cells[column].target is not None
        },
    )


def indicator_label(indicator: Indicator, period_kind: str) -> str:
    """The indicator's name as a column or row read at `period_kind` names it: a term
    indicator read at a follow-up point (absence, registry `at_points`) is the absence so far
    this term."""
    if indicator.at_points and period_kind == "point":
        return f"{indicator.name_sv}, {_('so far this term')}"
    return indicator.name_sv


def overview_table(data: Overview):
    """The overview as a publishing Table: what the CSV and XLSX downloads hold (values as
    the user sees them, markers as text)."""
    columns = [
        Column("period", str(_("Period"))),
        Column("pupils", str(_("Pupils compared"))),
        Column("unit", str(_("School unit"))),
        Column("area", str(_("Area"))),
    ]
    pupils = str(BREAKDOWN_LABELS[data.breakdown])
    everyone = data.rows + ([data.organiser] if data.organiser else [])
    cells = [cell for row in everyone for cell in row.cells]
    with_target = {cell.indicator.key for cell in cells if cell.target is not None}
    for indicator in data.indicators:
        kind: Kind = "percent" if indicator.unit.value == "percent" else "number"
        name = indicator_label(indicator, data.period.kind)
        columns.append(Column(indicator.key, name, kind=kind, decimals=1))
        columns.append(Column(f"{indicator.key}_n", f"{name}, n", kind="number"))
        # The changes the page shows beside each figure, in the figure's unit (percentage
        # points for a share), and the unit's target where one is set.
        if data.previous:
            label = _("%(indicator)s, change since %(period)s")
            columns.append(
                Column(
                    f"{indicator.key}_change",
                    str(label % {"indicator": name, "period": data.previous.label}),
                    kind="number",
                    decimals=1,
                )
            )
        if data.last_year:
            label = _("%(indicator)s, change since %(period)s")
            columns.append(
                Column(
                    f"{indicator.key}_change_year",
                    str(label % {"indicator": name, "period": data.last_year.label}),
                    kind="number",
                    decimals=1,
                )
            )
        if indicator.key in with_target:
            columns.append(
                Column(
                    f"{indicator.key}_target",
                    str(_("%(indicator)s, target") % {"indicator": name}),
                    kind=kind,
                    decimals=1,
                )
            )
    rows = []
    for row in everyone:
        item: dict[str, Cell] = {
            "period": str(data.period.label),
            "pupils": pupils,
            "unit": row.name,
            "area": row.area.name if row.area else "",
        }
        for cell in row.cells:
            item[cell.indicator.key] = cell.shown
            item[f"{cell.indicator.key}_n"] = cell.n if cell.is_number else None
            item[f"{cell.indicator.key}_change"] = cell.change_previous
            item[f"{cell.indicator.key}_change_year"] = cell.change_last_year
            item[f"{cell.indicator.key}_target"] = cell.target
        rows.append(item)
    return Table(title=f"{data.period.label} – {pupils}", columns=columns, rows=rows)


@login_required
@require_GET
def unit(request: HttpRequest, unit_id: int) -> HttpResponse:
    scope = scope_for_request(request)
    node = get_object_or_404(Node, pk=unit_id, kind=NodeKind.UNIT)
    if not scope.can_see(node):
        raise Http404
    dimension = request.GET.get("grupp", "")
    if dimension not in dict(UNIT_DIMENSIONS):
        dimension = ""
    if request.GET.get("format"):
        data = unit_page(scope, node, breakdown_dimension=dimension or None)
        return _download(request, unit_tables(data), node.name)
    return page_response(
        request,
        "dashboards/unit.html",
        {"unit": node},
        view="unit",
        scope=scope,
        render_body=lambda: unit_body(scope, node, request.path, request.GET, dimension),
    )


def unit_body(scope: Scope, node: Node, path: str, query: QueryDict, dimension: str) -> str:
    """The unit page's content, rendered without the request (what the page cache keeps)."""
    data = unit_page(scope, node, breakdown_dimension=dimension or None)
    tables = unit_tables(data)
    year = data.latest_year.label if data.latest_year else ""
    context = {
        "unit": node,
        "data": data,
        "charts": page_charts(
            [*data.sections, *data.fact_sections],
            distributions=data.distributions,
            tests_by_year_group=data.tests_by_year_group,
            year=year,
        ),
        "test_sections": [
            TEST_KEYS[year_group]
            for year_group in sorted(data.tests_by_year_group)
            if TEST_KEYS[year_group] in tables
        ],
        "tables": tables,
        "downloads": _downloads(path, query, tables),
        "breakdown": dimension,
        "breakdowns": UNIT_DIMENSIONS,
    }
    return render_to_string("dashboards/_unit_body.html", context)


@login_required
@require_GET
def group(request: HttpRequest, group_id: int) -> HttpResponse:
    """A group's own figures (drill-down from the unit page; a teacher's way in)."""
    scope = scope_for_request(request)
    node = get_object_or_404(
        Node.objects.select_related("parent", "academic_year"), pk=group_id, kind=NodeKind.GROUP
    )
    if not scope.can_see(node):
        raise Http404
    if request.GET.get("format"):
        data = group_page(scope, node)
        return _download(request, series_tables(data.sections) | subject_tables(data), node.name)
    return page_response(
        request,
        "dashboards/group.html",
        {"group": node},
        view="group",
        scope=scope,
        render_body=lambda: group_body(scope, node, request.path, request.GET),
    )


def group_body(scope: Scope, node: Node, path: str, query: QueryDict) -> str:
    """The group page's content, rendered without the request (what the page cache keeps)."""
    data = group_page(scope, node)
    tables = series_tables(data.sections) | subject_tables(data)
    context = {
        "group": node,
        "data": data,
        "charts": page_charts(data.sections),
        "tables": tables,
        "downloads": _downloads(path, query, tables),
        "unit_visible": node.parent is not None and scope.can_see(node.parent),
    }
    return render_to_string("dashboards/_group_body.html", context)


@login_required
@require_GET
def unit_groups(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The unit's groups at the latest follow-up point: a fragment that the unit page loads
    with htmx after it is shown (a large unit has hundreds of groups), and a page of its own
    without JavaScript."""
    scope = scope_for_request(request)
    node = get_object_or_404(Node, pk=unit_id, kind=NodeKind.UNIT)
    if not scope.can_see(node):
        raise Http404
    if request.GET.get("format"):
        data = unit_groups_of(scope, node)
        tables = {"groups": groups_table(data)} if data.rows else {}
        return _download(request, tables, node.name)
    if request.headers.get("HX-Request"):
        return fragment_response(
            request,
            view="unit_groups",
            scope=scope,
            render_body=lambda: unit_groups_body(
                scope, node, request.path, request.GET, partial=True
            ),
        )
    return page_response(
        request,
        "dashboards/unit_groups.html",
        {"unit": node},
        view="unit_groups",
        scope=scope,
        render_body=lambda: unit_groups_body(scope, node, request.path, request.GET),
    )


def unit_groups_body(
    scope: Scope, node: Node, path: str, query: QueryDict, *, partial: bool = False
) -> str:
    """The unit's groups (the htmx fragment, or the page's content), rendered without the
    request (what the page cache keeps)."""
    data = unit_groups_of(scope, node)
    tables = {"groups": groups_table(data)} if data.rows else {}
    context = {
        "unit": node,
        "data": data,
        "table": tables.get("groups"),
        "downloads": _downloads(path, query, tables).get("groups"),
        "group_urls": _group_urls([row.group.pk for row in data.rows]),
    }
    template = "dashboards/_unit_groups.html" if partial else "dashboards/_unit_groups_body.html"
    return render_to_string(template, context)


def groups_table(data: UnitGroups) -> Table:
    columns = [Column("group", str(_("Group")))]
    for indicator in data.indicators:
        columns.append(Column(indicator.key, indicator.name_sv, kind="percent"))
        columns.append(Column(f"{indicator.key}_n", "n", kind="number", decimals=0))
    rows = []
    for row in data.rows:
        item: dict[str, Cell] = {"group": row.group.name}
        for indicator, (value, n) in zip(data.indicators, row.cells, strict=True):
            item[indicator.key] = value
            item[f"{indicator.key}_n"] = n if isinstance(value, float | int) else None
        rows.append(item)
    title = str(_("Groups, %(point)s") % {"point": data.point.label if data.point else "–"})
    return Table(title, columns, rows, id="table-groups")


def _group_urls(group_ids: list[int]) -> dict[int, str]:
    """Each group page's URL. One reverse() for all: it costs about 0.1 ms, and a large unit
    lists hundreds of groups."""
    placeholder = 2**62
    pattern = reverse("group", args=[placeholder])
    return {pk: pattern.replace(str(placeholder), str(pk)) for pk in group_ids}


def _download(request: HttpRequest, tables: dict[str, Table], name: str) -> HttpResponse:
    """The table that `?tabell=KEY&format=csv|xlsx` asks for, as a download. An unknown
    table or format is a 404."""
    fmt = request.GET.get("format", "")
    table = tables.get(request.GET.get("tabell", ""))
    if table is None:
        raise Http404
    return table_download_response(table, fmt, f"{name}-{table.title}")


def _downloads(path: str, query: QueryDict, tables: dict[str, Table]) -> dict[str, dict[str, str]]:
    """Per table key: the URLs of its CSV and XLSX downloads (the page's query kept). They
    name the view's own path: a fragment that htmx puts into another page (the unit page's
    groups) would otherwise ask that page for a table it does not have."""
    out = {}
    for key in tables:
        params = query.copy()
        params["tabell"] = key
        urls = {}
        for fmt in ("csv", "xlsx"):
            params["format"] = fmt
            urls[fmt] = f"{path}?{params.urlencode()}"
        out[key] = urls
    return out


# A series section's title: its periods, then what its rows hold (by the indicators'
# families), so that a gymnasium's years read "Läsår: frånvaro" and never name year 9.
PERIOD_TITLES = {
    "points": _("Follow-up points"),
    "terms": _("Terms"),
    "years": _("Academic years"),
}
FAMILY_TITLES = {
    Family.ASSESSMENTS: _("assessments"),
    Family.TERM_GRADES: _("term grades"),
    Family.FINAL_GRADES: _("final grades year 9"),
    Family.ABSENCE: _("absence"),
}
FACT_TITLES = {
    "surveys": _("Surveys: the share of respondents who agree"),
    "staff": _("Staff and groups"),
}


def section_title(section: Section) -> str:
    """ "Läsår: slutbetyg årskurs 9 och frånvaro", from the families of the rows shown."""
    if section.key in FACT_TITLES:
        return str(FACT_TITLES[section.key])
    families = list(dict.fromkeys(row.indicator.family for row in section.rows))
    parts = [str(FAMILY_TITLES[f]) for f in families if f in FAMILY_TITLES]
    what = (
        parts[0]
        if len(parts) == 1
        else str(_("%(a)s and %(b)s") % {"a": ", ".join(parts[:-1]), "b": parts[-1]})
    )
    title = str(PERIOD_TITLES[section.key])
    return str(_("%(periods)s: %(what)s") % {"periods": title, "what": what}) if parts else title


def page_charts(
    sections: list[Section],
    *,
    distributions: Sequence[Distribution] = (),
    tests: Sequence[SeriesRow] = (),
    tests_by_year_group: dict[int, list[SeriesRow]] | None = None,
    year: str = "",
) -> dict[str, dict]:
    """The charts of a unit or group page, keyed by section: a trend of each series section's
    first indicator (all pupils, or one line per group where the page is broken down by
    gender, year group, ...), the year's grade distribution per subject, and the national
    tests compared with the final grades. A chart whose values are all hidden has
    usermeta.shown 0: the template says so instead of drawing an empty frame."""
    charts = {}
    for section in sections:
        if not section.rows or len(section.periods) < 2:
            continue
        indicator = section.rows[0].indicator
        same = [row for row in section.rows if row.indicator.key == indicator.key]
        total = next((row for row in same if not row.breakdown), None)
        groups = [row for row in same if row.breakdown]
        target = total.target if total else None
        if groups:
            dimension = DIMENSION_LABELS.get(groups[0].breakdown.partition("=")[0])
            charts[section.key] = breakdown_trend_chart(
                {breakdown_label(row.breakdown): _period_values(section, row) for row in groups},
                title=f"{indicator.name_sv}, {_lower_first(dimension)}"
                if dimension
                else indicator.name_sv,
                unit=indicator.unit,
                target=target,
            )
        elif total:
            nation = [(p.label, v) for p, v in zip(section.periods, total.references, strict=False)]
            charts[section.key] = trend_chart(
                _period_values(section, total),
                title=indicator.name_sv,
                unit=indicator.unit,
                target=target,
                references={str(_("The nation")): nation}
                if any(isinstance(v, float | int) for _label, v in nation)
                else None,
            )
    if distributions:
        charts["distribution"] = distribution_chart(
            {subject_name(d.subject): dict(d.shares) for d in distributions},
            title=str(_("Final grades per subject, %(year)s") % {"year": year}),
            stacked=True,
        )
    for year_group, rows_of_year in (tests_by_year_group or {9: list(tests)}).items():
        if rows := _test_rows(rows_of_year):
            charts[TEST_KEYS[year_group]] = test_vs_grade_chart(
                [TestVsGrade(subject_name(s), lo, same, hi) for s, lo, same, hi in rows],
                title=test_title(year_group, year),
            )
    return charts


# The national tests compared with the grades, one section per year group: year 6 with the
# spring term grade, year 9 with the final grade.
TEST_KEYS = {6: "tests_6", 9: "tests"}


def test_title(year_group: int, year: str) -> str:
    if year_group == 6:
        return str(
            _("Year 6: the term grade compared with the test grade, %(year)s") % {"year": year}
        )
    return str(_("Year 9: the final grade compared with the test grade, %(year)s") % {"year": year})


DIMENSION_LABELS = dict(UNIT_DIMENSIONS)


def _period_values(section: Section, row: SeriesRow) -> list[tuple[str, Value]]:
    return [(p.label, v) for p, v in zip(section.periods, row.shown_values, strict=True)]


def _lower_first(text: object) -> str:
    text = str(text)
    return text[:1].lower() + text[1:]


def _test_rows(tests: Sequence[SeriesRow]) -> list[tuple[str, Value, Value, Value]]:
    """(subject, lower, same, higher) from the test_vs_grade_{outcome}_{subject} rows."""
    found: dict[str, dict[str, Value]] = {}
    for row in tests:
        outcome, subject = row.indicator.key.removeprefix("test_vs_grade_").split("_", 1)
        found.setdefault(subject, {})[outcome] = row.shown_values[0]
    return [
        (subject, v.get("lower"), v.get("same"), v.get("higher"))
        for subject, v in found.items()
        if any(x is not None for x in v.values())
    ]


def series_tables(sections: list[Section]) -> dict[str, Table]:
    """Each series section (points, terms, years) as a downloadable table: one row per
    indicator and breakdown, a value and an n column per period."""
    tables = {}
    for section in sections:
        if not section.rows:
            continue
        columns = [Column("indicator", str(_("Indicator"))), Column("group", str(_("Pupils")))]
        for i, period in enumerate(section.periods):
            columns.append(Column(f"v{i}", period.label, kind="number", decimals=1))
            columns.append(Column(f"n{i}", f"{period.label}, n", kind="number", decimals=0))
        # The target beside its indicator, as the page shows it (on the row of all pupils).
        if any(row.target is not None for row in section.rows):
            columns.append(Column("target", str(_("Target")), kind="number", decimals=1))
        rows = []
        for row in section.rows:
            item: dict[str, Cell] = {
                "indicator": indicator_label(row.indicator, section.periods[0].kind),
                "group": breakdown_label(row.breakdown),
                "target": None if row.breakdown else row.target,
            }
            for i, (value, n) in enumerate(row.values):
                item[f"v{i}"] = value
                item[f"n{i}"] = n if isinstance(value, float | int) else None
            rows.append(item)
        if section.reference is not None:
            _with_fact_columns(section, columns, rows)
        tables[section.key] = Table(section_title(section), columns, rows)
    return tables


def _with_fact_columns(section: Section, columns: list[Column], rows: list[dict]) -> None:
    """A survey or staff section's table: those invited beside each year's respondents (a
    survey's), and the nation's published figure of the latest year."""
    if any(row.invited for row in section.rows):
        # After each year's n (columns: indicator, pupils, then value and n per year).
        for i, period in reversed(list(enumerate(section.periods))):
            label = str(_("%(period)s, invited") % {"period": period.label})
            columns.insert(2 + 2 * i + 2, Column(f"i{i}", label, kind="number", decimals=0))
        for item, row in zip(rows, section.rows, strict=True):
            for i, (_value, _n, asked) in enumerate(row.counts):
                item[f"i{i}"] = asked
    reference = section.reference
    assert reference is not None
    label = str(_("The nation %(year)s") % {"year": reference.year})
    columns.append(Column("nation", label, kind="number", decimals=1))
    for item, row in zip(rows, section.rows, strict=True):
        item["nation"] = row.reference


def subject_tables(data: UnitPage | GroupPage) -> dict[str, Table]:
    if not data.subjects:
        return {}
    point = data.latest_point.label if data.latest_point else "–"
    year = data.latest_year.label if data.latest_year else "–"
    columns = [
        Column("subject", str(_("Subject"))),
        Column("on_track", str(_("On track, %(point)s") % {"point": point}), kind="percent"),
        Column(
            "passed",
            str(_("Passed (A–E), final grades %(year)s") % {"year": year}),
            kind="percent",
        ),
    ]
    rows = [
        {"subject": subject_name(code), "on_track": on_track, "passed": passed}
        for code, on_track, passed in data.subjects
    ]
    # A column without a single figure (no assessments yet, no final grades) is left out.
    columns = [c for c in columns if c.key == "subject" or any(r[c.key] is not None for r in rows)]
    return {"subjects": Table(str(_("Per subject")), columns, rows, id="table-subjects")}


GRADE_LABELS = {"-": _("No basis (-)")}  # a bare "-" would read as a formula in a spreadsheet


def unit_tables(data: UnitPage) -> dict[str, Table]:
    """Every table of the unit page, by key: what its download links give."""
    tables = series_tables([*data.sections, *data.fact_sections]) | subject_tables(data)
    year = data.latest_year.label if data.latest_year else "–"
    if data.distributions:
        columns = [
            Column("subject", str(_("Subject"))),
            Column("n", str(_("Pupils graded")), kind="number", decimals=0),
            *(Column(g, str(GRADE_LABELS.get(g, g)), kind="percent") for g in GRADE_ORDER),
            Column("passed", str(_("A–E")), kind="percent"),
        ]
        rows = [
            {
                "subject": subject_name(d.subject),
                "n": None if d.suppressed else d.n,
                **d.shares,
                "passed": d.passed,
            }
            for d in data.distributions
        ]
        tables["distribution"] = Table(
            str(_("Grade distribution, final grades %(year)s") % {"year": year}),
            columns,
            rows,
            footnotes=[str(_("Share of the pupils graded in the subject, in percent."))],
            id="table-distribution",
        )
    for year_group, rows_of_year in data.tests_by_year_group.items():
        test_rows = _test_rows(rows_of_year)
        if not test_rows:
            continue
        columns = [
            Column("subject", str(_("Subject"))),
            Column("lower", str(_("Grade lower than test grade")), kind="percent"),
            Column("same", str(_("Grade same as test grade")), kind="percent"),
            Column("higher", str(_("Grade higher than test grade")), kind="percent"),
        ]
        key = TEST_KEYS[year_group]
        tables[key] = Table(
            test_title(year_group, year),
            columns,
            [
                {"subject": subject_name(s), "lower": lo, "same": same, "higher": hi}
                for s, lo, same, hi in test_rows
            ],
            id=f"table-{key.replace('_', '-')}",
        )
    return tables


@login_required
@require_GET
def pupils_at_risk(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The pupils at the unit who at a follow-up point (the latest, or `?punkt=ID`) are
    assessed not to reach the requirements in one or more subjects, or whose absence is 15 %
    or more: for roles with pupil access only, and every view and download of it is written
    to the audit log. Filters `?amne=CODE`, `?grupp=ID`, `?kriterium=subjects|absence`,
    order `?sortera=group|name|subjects|absence`, download `?format=csv|xlsx`."""
    scope = scope_for_request(request)
    node = get_object_or_404(Node, pk=unit_id, kind=NodeKind.UNIT)
    return _pupils_at_risk(request, scope, unit=node, group=None)


@login_required
@require_GET
def group_pupils_at_risk(request: HttpRequest, group_id: int) -> HttpResponse:
    """The same list for one group (a teacher's own class), audit-logged on the group."""
    scope = scope_for_request(request)
    node = get_object_or_404(
        Node.objects.select_related("parent"), pk=group_id, kind=NodeKind.GROUP
    )
    if node.parent is None:  # a group always belongs to a unit
        raise Http404
    return _pupils_at_risk(request, scope, unit=node.parent, group=node)


CRITERION_LABELS = {
    CRITERION_SUBJECTS: _("Subject not on track"),
    # xgettext:no-python-format
    CRITERION_ABSENCE: _("Absence 15 % or more"),
}
SORT_LABELS = {
    SORT_GROUP: _("Group, then name"),
    SORT_NAME: _("Name"),
    SORT_SUBJECTS: _("Most subjects first"),
    SORT_ABSENCE: _("Highest absence first"),
}


def _pupils_at_risk(
    request: HttpRequest, scope: Scope, *, unit: Node, group: Node | None
) -> HttpResponse:
    node = group or unit
    if not scope.can_see_pupils_in(node):
        raise Http404
    points = points_with_assessments(unit, group=group)
    point_id = _int(request.GET.get("punkt"))
    point = next((p for p in points if p.pk == point_id), points[-1] if points else None)
    listed = support_list(scope, unit, point, group=group) if point else None
    everyone = listed.pupils if listed else []
    subject = request.GET.get("amne", "")
    group_id = _int(request.GET.get("grupp")) if group is None else None
    criterion = request.GET.get("kriterium", "")
    criterion = criterion if criterion in CRITERIA else ""
    order = request.GET.get("sortera", "")
    order = order if order in SORTS else SORT_GROUP
    pupils = sort_pupils(
        filter_pupils(everyone, subject=subject, group_id=group_id, criterion=criterion), order
    )
    detail = {
        "follow_up_point": point.pk if point else None,
        "subject": subject,
        "group": group_id,
        "criterion": criterion,
    }
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        table = pupils_table(pupils, unit=unit, group=group, point=point)
        audit_record(
            user=request.user,
            action="export_pupils_at_risk",
            node=node,
            pupil_ids=[p.pupil_id for p in pupils],
            detail={**detail, "format": fmt},
            request=request,
        )
        return table_download_response(table, fmt, table.title)
    audit_record(
        user=request.user,
        action="view_pupils_at_risk",
        node=node,
        pupil_ids=[p.pupil_id for p in pupils],
        detail=detail,
        request=request,
    )
    subjects = sorted(
        {
            (code, name)
            for p in everyone
            for code, name in zip(p.subjects, p.subject_names, strict=True)
        },
        key=lambda s: s[1],
    )
    groups = sorted({(p.group_id, p.group) for p in everyone if p.group_id}, key=lambda g: g[1])
    downloads = {}
    for key in ("csv", "xlsx"):
        query = request.GET.copy()
        query["format"] = key
        downloads[key] = f"{request.path}?{query.urlencode()}"
    context = {
        "unit": unit,
        "group": group,
        "point": point,
        "points": points[::-1],
        "pupils": pupils,
        "listed": len(everyone),
        "enrolled": pupils_enrolled(scope, unit, point, group=group) if point else 0,
        "by_subjects": sum(1 for p in everyone if p.subjects),
        "by_absence": sum(1 for p in everyone if p.absence is not None),
        # No absence period of the term has ended by the point: the absence criterion could
        # not be judged, and the page says so instead of counting nobody.
        "absence_known": bool(listed and listed.absence_known),
        "filtered": bool(subject or group_id or criterion),
        "subjects": subjects,
        "groups": groups,
        "criteria": list(CRITERION_LABELS.items()),
        "sorts": list(SORT_LABELS.items()),
        "selected": {
            "point": point.pk if point else None,
            "subject": subject,
            "group": group_id,
            "criterion": criterion,
            "order": order,
        },
        "downloads": downloads,
    }
    return render(request, "dashboards/pupils_at_risk.html", context)


def pupils_table(
    pupils: list[PupilAtRisk], *, unit: Node, group: Node | None, point: FollowUpPoint | None
) -> Table:
    """The list as a downloadable table: the pupils' names and the product's pupil ids (a
    database id, never a personnummer or its pseudonym), the subjects named."""
    where = f"{group.name}, {unit.name}" if group else unit.name
    title = _("Pupils who need support, %(where)s, %(point)s") % {
        "where": where,
        "point": point.name if point else "–",
    }
    columns = [
        Column("name", str(_("Pupil"))),
        Column("pupil_id", str(_("Pupil id"))),
        Column("group", str(_("Group"))),
        Column("year_group", str(_("Year group")), kind="number", decimals=0),
        Column("subjects", str(_("Subjects not on track"))),
        Column("absence", str(_("Absence %")), kind="percent"),
    ]
    rows = [
        {
            "name": p.name,
            "pupil_id": str(p.pupil_id),
            "group": p.group,
            "year_group": p.year_group,
            "subjects": ", ".join(p.subject_names),
            "absence": p.absence,
        }
        for p in pupils
    ]
    footnotes = [
        str(
            _(
                "Pupils assessed not to reach the requirements in one or more subjects at the "
                "follow-up point, or with 15 % absence or more in its term."
            )
        ),
        str(_("Pupil id: the product's own number for the pupil, not a personal identity number.")),
    ]
    return Table(str(title), columns, rows, footnotes=footnotes, id="table-pupils")


@login_required
@require_GET
def pupil_history(request: HttpRequest, pupil_id: int) -> HttpResponse:
    """One pupil's assessments at each follow-up point, grades and absence per term, for
    roles with pupil access to one of the pupil's enrolments (only what those reach); others
    get 404. Every view is written to the audit log."""
    scope = scope_for_request(request)
    history = pupil_history_of(scope, pupil_id)
    if history is None:
        raise Http404
    audit_record(
        user=request.user,
        action="view_pupil_history",
        node=history.node,
        pupil_ids=[history.pupil_id],
        detail={"follow_up_points": sorted({h.point.pk for h in history.points})},
        request=request,
    )
    latest = history.enrolments[-1]
    if scope.can_see_pupils_in(history.node):
        back = reverse("pupils_at_risk", args=[latest.unit_id])
    elif latest.group_id:
        back = reverse("group_pupils_at_risk", args=[latest.group_id])
    else:
        back = ""
    context = {"history": history, "back": back, "unit": history.node}
    return render(request, "dashboards/pupil_history.html", context)
