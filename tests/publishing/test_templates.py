"""The {% chart %} tag and the table template: figure, json_script, hidden table, markers."""

from __future__ import annotations

import json
import re

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils import translation

from skolkvalitet.publishing.charts import comparison, trend
from skolkvalitet.publishing.tables import Column, Table


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _render(source: str, **context) -> str:
    return Template("{% load charts %}" + source).render(Context(context))


def _trend():
    return trend.trend_chart(
        [("HT2024", 70.0), ("VT2025", "..")], title="Behöriga", unit="percent", name="Ekskolan"
    )


def test_chart_renders_a_figure_with_the_spec_as_json_a_hidden_table_and_a_caption():
    spec = _trend()
    html = _render('{% chart spec id="trend" description="Behöriga per termin" %}', spec=spec)
    assert re.search(r'<figure class="chart" id="trend" data-chart-spec="trend-spec"', html)
    match = re.search(r'<script id="trend-spec" type="application/json">(.*?)</script>', html, re.S)
    assert match and json.loads(match.group(1)) == spec
    hidden = re.search(r'<div class="chart-data visually-hidden">(.*?)</div>', html, re.S).group(1)
    assert "<caption>Behöriga</caption>" in hidden
    assert '<th scope="col">Period</th><th scope="col">Ekskolan</th>' in hidden
    assert '<th scope="row">HT2024</th><td>70,0\u00a0%</td>' in hidden
    assert "<td>.. (Too few pupils (fewer than 10 at a" in hidden  # the marker, explained
    assert "<figcaption>Behöriga per termin</figcaption>" in html
    i18n = json.loads(re.search(r'data-chart-i18n="([^"]*)"', html).group(1).replace("&quot;", '"'))
    assert i18n["SVG_ACTION"] == "Save as SVG" and i18n["PNG_ACTION"] == "Save as PNG"


def test_chart_caption_defaults_to_the_spec_description_and_the_id_to_a_stable_one():
    spec = _trend()
    first = _render("{% chart spec %}", spec=spec)
    assert first == _render("{% chart spec %}", spec=spec)
    assert re.search(r'id="chart-[0-9a-f]{10}"', first)
    assert f"<figcaption>{spec['description']}</figcaption>" in first


def test_chart_escapes_script_breaking_text():
    spec = comparison.comparison_chart(
        [("</script><b>x</b>", 1.0)], title="<i>t</i>", unit="points"
    )
    html = _render('{% chart spec id="c" %}', spec=spec)
    assert "</script><b>" not in html
    assert "<b>x</b>" not in html and "<i>t</i>" not in html


def test_chart_rejects_a_bad_id():
    with pytest.raises(TemplateSyntaxError):
        _render('{% chart spec id="1 bad" %}', spec=_trend())


def test_sparkline_renders_inline_with_its_values_as_text():
    html = _render('{% chart spec id="s1" %}', spec=trend.sparkline([1.0, "..", 2.0]))
    assert html.startswith('<span class="chart chart-inline" id="s1"')
    assert 'data-chart-inline="true"' in html
    assert '<span class="visually-hidden">Trend: 1,0; ..; 2,0</span>' in html
    assert "<figure" not in html and "<table" not in html


def test_chart_scripts_are_local():
    html = _render("{% chart_scripts %}")
    sources = re.findall(r'<script src="([^"]+)" defer></script>', html)
    assert sources == [
        "/static/vendor/vega/vega.min.js",
        "/static/vendor/vega/vega-lite.min.js",
        "/static/vendor/vega/vega-embed.min.js",
        "/static/web/charts.js",
        "/static/web/tables.js",
    ]


TABLE = Table(
    title="Behörighet",
    columns=[
        Column("unit", "Skolenhet"),
        Column("share", "Andel", "percent"),
        Column("n", "Elever", "number"),
    ],
    rows=[
        {"unit": "Ekskolan", "share": 75.25, "n": 1200},
        {"unit": "<Aspskolan>", "share": "..", "n": 8},
    ],
    footnotes=["Källa: egen uppföljning"],
)


def test_table_template():
    html = render_to_string("publishing/_table.html", {"table": TABLE})
    assert '<caption id="table-behorighet-caption">Behörighet</caption>' in html
    assert '<table class="data sortable" id="table-behorighet" data-sortable' in html
    assert '<th scope="col" class="num" data-kind="percent">Andel</th>' in html
    assert '<th scope="row" data-sort="Ekskolan">Ekskolan</th>' in html
    assert '<td class="num" data-sort="75.25">75,3\u00a0%</td>' in html
    assert '<td class="num" data-sort="1200.0">1\u00a0200</td>' in html
    assert '<td class="num" data-sort=""><abbr class="marker" title="Too few pupils' in html
    assert "&lt;Aspskolan&gt;" in html
    assert "Källa: egen uppföljning" in html
    assert 'role="region" tabindex="0" aria-labelledby="table-behorighet-caption"' in html
    assert "Download" not in html


def test_table_template_download_links():
    html = render_to_string(
        "publishing/_table.html", {"table": TABLE, "csv_url": "/x.csv", "xlsx_url": "/x.xlsx"}
    )
    assert (
        '<a href="/x.csv" download>Download CSV'
        '<span class="visually-hidden">: Behörighet</span></a>' in html
    )
    assert '<a href="/x.xlsx" download>Download XLSX' in html


def test_empty_table():
    html = render_to_string("publishing/_table.html", {"table": Table("T", TABLE.columns, [])})
    assert '<td colspan="3">No rows to show.</td>' in html
