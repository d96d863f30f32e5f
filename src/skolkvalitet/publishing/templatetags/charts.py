"""{% chart spec %}: a Vega-Lite spec from publishing.charts as an accessible <figure>.

    {% load charts %}
    {% chart_scripts %}                      (once per page, e.g. in the head)
    {% chart spec id="merit-trend" description="..." %}

The figure carries the spec as JSON (json_script), a visually hidden text alternative (the
chart's data as a table, from spec["usermeta"]["table"]) and a visible <figcaption>;
web/static/web/charts.js finds the figures and draws them with the vendored vega-embed,
also in fragments that htmx swaps in. A sparkline (spec["usermeta"]["kind"] == "sparkline")
is rendered inline, for a table cell, with its values as hidden text.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from django import template
from django.template import loader
from django.templatetags.static import static
from django.utils.html import format_html_join, json_script
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from skolkvalitet.publishing.tables import MARKER_TITLES

register = template.Library()

SCRIPTS = (
    "vendor/vega/vega.min.js",
    "vendor/vega/vega-lite.min.js",
    "vendor/vega/vega-embed.min.js",
    "web/charts.js",
    "web/tables.js",
)
ID_RE = re.compile(r"^[A-Za-z][\w-]*$")


def embed_labels() -> dict[str, str]:
    """vega-embed's `i18n` option: the labels of its actions menu."""
    return {
        "CLICK_TO_VIEW_ACTIONS": _("Save the chart"),
        "PNG_ACTION": _("Save as PNG"),
        "SVG_ACTION": _("Save as SVG"),
        "COMPILED_ACTION": _("Show compiled Vega"),
        "EDITOR_ACTION": _("Open in the Vega editor"),
        "SOURCE_ACTION": _("Show the source"),
    }


def chart_id(spec: dict[str, Any], id: str | None) -> str:
    """The given id, or one derived from the spec so that it is stable across renders."""
    if id:
        if not ID_RE.match(id):
            raise template.TemplateSyntaxError(f"chart id {id!r} is not a valid HTML id")
        return id
    digest = hashlib.sha1(json.dumps(spec, sort_keys=True).encode(), usedforsecurity=False)
    return f"chart-{digest.hexdigest()[:10]}"


def _title(spec: dict[str, Any]) -> str:
    title = spec.get("title", "")
    return str(title.get("text", "")) if isinstance(title, dict) else str(title)


def _text_table(table: dict[str, Any] | None) -> dict[str, Any] | None:
    """The chart's data table with each marker cell paired with its explanation."""
    if not table:
        return None
    rows = [
        [(str(cell), _(MARKER_TITLES[cell]) if cell in MARKER_TITLES else "") for cell in row]
        for row in table.get("rows", [])
    ]
    return {"columns": table.get("columns", []), "rows": rows, "notes": table.get("notes", [])}


@register.simple_tag
def chart(
    spec: dict[str, Any], id: str | None = None, description: str = "", filename: str = ""
) -> SafeString:
    """The figure for one chart spec; `description` defaults to the spec's description."""
    element_id = chart_id(spec, id)
    meta = spec.get("usermeta", {})
    context = {
        "id": element_id,
        "spec_id": f"{element_id}-spec",
        "spec_json": json_script(spec, f"{element_id}-spec"),
        "title": _title(spec),
        "description": description or spec.get("description", ""),
        "table": _text_table(meta.get("table")),
        "i18n": json.dumps(embed_labels()),
        "filename": filename or element_id,
    }
    name = "_sparkline.html" if meta.get("kind") == "sparkline" else "_chart.html"
    return loader.render_to_string(f"publishing/{name}", context)


@register.simple_tag
def chart_scripts() -> SafeString:
    """The script elements charts and sortable tables need, all served by the app."""
    return format_html_join(
        "\n", '<script src="{}" defer></script>', ((static(path),) for path in SCRIPTS)
    )
