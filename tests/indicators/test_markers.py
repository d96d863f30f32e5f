"""Skolverket's markers are spelled once (indicators/markers.py) and every module that shows,
suppresses or reads them uses that spelling."""

from __future__ import annotations

import ast
from pathlib import Path

from skolkvalitet.indicators import markers, suppression
from skolkvalitet.publishing import formatting
from skolkvalitet.publishing.tables import MARKER_TITLES
from skolkvalitet.reference.records import Marker

SRC = Path(__file__).resolve().parents[2] / "src" / "skolkvalitet"
# The published files' own spellings are read in the reference parsers (they map the source's
# text, "-" and "–" among it, to a Marker).
SPELLS_MARKERS = {"indicators/markers.py"}
READS_PUBLISHED_SPELLINGS = "reference/sources/"


def test_the_markers():
    assert (markers.HIDDEN, markers.NEAR_FULL, markers.MISSING) == ("..", "~100", ".")


def test_every_user_has_the_one_spelling():
    assert suppression.HIDDEN is markers.HIDDEN
    assert suppression.NEAR_FULL is markers.NEAR_FULL
    assert formatting.MARKERS == markers.MARKERS
    assert (Marker.SUPPRESSED, Marker.NEAR_ALL, Marker.MISSING) == markers.MARKERS
    assert set(MARKER_TITLES) == set(markers.MARKERS)


def test_no_other_module_spells_a_marker():
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if (
            relative in SPELLS_MARKERS
            or relative.startswith(READS_PUBLISHED_SPELLINGS)
            or "/migrations/" in relative
        ):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in ("..", "~100"):
                offenders.append(f"{relative}:{node.lineno}")
    assert offenders == [], "import the marker from indicators/markers.py"
