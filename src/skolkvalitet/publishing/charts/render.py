"""Charts drawn on the server for documents: the pages' Vega-Lite specs (this package) as SVG
for the PDF and PNG for Word, by vl-convert — the same Vega-Lite the pages load (6.x), with
no access to any URL. A page sizes a chart to its container; a document gives it the width
of a page's text column and a font the server has."""

from __future__ import annotations

import copy
from typing import Any

import vl_convert

VEGA_LITE = "6.4"  # vl-convert's nearest to the vendored 6.5 the pages load
WIDTH = 620  # px: the text column of an A4 page at 2 cm margins, at 96 px per inch
FONT = "Liberation Sans, DejaVu Sans, Arial, sans-serif"


def printable(spec: dict[str, Any], *, width: int = WIDTH) -> dict[str, Any]:
    """The spec with a fixed width instead of its container's, and a server font."""
    out = copy.deepcopy(spec)
    if out.get("width") == "container" or "width" not in out:
        out["width"] = width
    config = out.setdefault("config", {})
    config["font"] = FONT
    return out


def chart_svg(spec: dict[str, Any], *, width: int = WIDTH) -> str:
    """The chart as an SVG document."""
    return vl_convert.vegalite_to_svg(
        printable(spec, width=width), vl_version=VEGA_LITE, allowed_base_urls=[]
    )


def chart_png(spec: dict[str, Any], *, scale: float = 2.0, width: int = WIDTH) -> bytes:
    """The chart as a PNG picture, `scale` times its size in px (2 for print)."""
    return vl_convert.vegalite_to_png(
        printable(spec, width=width), vl_version=VEGA_LITE, allowed_base_urls=[], scale=scale
    )
