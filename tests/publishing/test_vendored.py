"""The vendored Vega libraries are all here, and nothing loads a script from the internet."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation

from skolkvalitet.publishing.charts import base, comparison, distribution, national_tests, trend

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src/skolkvalitet"
VENDOR = SRC / "web/static/vendor/vega"
FILES = (
    "vega.min.js",
    "vega-lite.min.js",
    "vega-lite.min.js.map",
    "vega-embed.min.js",
    "vega-embed.min.js.map",
    "vega-embed.css",
    "LICENSE-vega",
    "LICENSE-vega-lite",
    "LICENSE-vega-embed",
    "SOURCE",
)


@pytest.mark.parametrize("name", FILES)
def test_vendored_file_exists(name):
    path = VENDOR / name
    assert path.is_file() and path.stat().st_size > 0


def test_source_names_the_versions_the_files_carry():
    source = (VENDOR / "SOURCE").read_text()
    versions = {
        "vega": re.search(r"vega (\d+\.\d+\.\d+)", source).group(1),
        "vega-lite": re.search(r"vega-lite (\d+\.\d+\.\d+)", source).group(1),
        "vega-embed": re.search(r"vega-embed (\d+\.\d+\.\d+)", source).group(1),
    }
    assert f'version="{versions["vega"]}"' in (VENDOR / "vega.min.js").read_text()
    assert f'"{versions["vega-lite"]}"' in (VENDOR / "vega-lite.min.js").read_text()
    assert f'"{versions["vega-embed"]}"' in (VENDOR / "vega-embed.min.js").read_text()
    assert base.SCHEMA.endswith(f"/v{versions['vega-lite'].split('.')[0]}.json")


def test_vendored_files_match_the_checksums_in_source():
    lines = (VENDOR / "SOURCE").read_text().splitlines()
    sums = dict(reversed(line.split()) for line in lines if re.match(r"\s+[0-9a-f]{64}\s", line))
    assert set(sums) == {name for name in FILES if name.endswith((".js", ".map", ".css"))}
    for name, digest in sums.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


REMOTE_IN_HTML = re.compile(
    r"""<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*["']?\s*(https?:)?//""", re.I
)


def test_no_template_loads_anything_from_the_internet():
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in SRC.glob("*/templates/**/*.html")
        for match in REMOTE_IN_HTML.finditer(path.read_text())
    ]
    assert offenders == []


def test_our_scripts_name_no_internet_address():
    for path in (SRC / "web/static/web").glob("*.js"):
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", path.read_text(), re.I), path


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize(
    "name",
    ["web/static/web/charts.js", "web/static/web/tables.js", "web/static/web/behaviours.js"],
)
def test_our_scripts_parse(name):
    subprocess.run(["node", "--check", str(SRC / name)], check=True)


def _specs():
    with translation.override("sv"):
        return [
            trend.trend_chart(
                [("HT2024", 70.0), ("VT2025", ".."), ("Uppföljning 1 HT2025", "~100")],
                title="Behöriga",
                unit="percent",
                target=80,
                references={"Riket": [("HT2024", 73.0), ("VT2025", 74.0)], "Kommunen": 71.0},
            ),
            trend.sparkline([1.0, "..", 2.0]),
            distribution.distribution_chart({"A": 2, "B": 3, "F": 1}, title="Betyg"),
            distribution.distribution_chart(
                {"Flickor": {"A": 2, "F": 1}, "Pojkar": {"A": "..", "F": 3}}, title="Betyg"
            ),
            distribution.distribution_chart(
                {"Flickor": {"A": 2, "F": 1}, "Pojkar": {"A": 4, "F": 3}},
                title="Betyg",
                stacked=True,
            ),
            comparison.comparison_chart(
                [("Ekskolan", 80.0), ("Aspskolan", "..")],
                title="Jämförelse",
                unit="percent",
                organiser=72.0,
                highlight="Ekskolan",
            ),
            national_tests.test_vs_grade_chart(
                [("Matematik", 10, 80, 10), ("Engelska", "..", 70, 20)], title="Prov"
            ),
        ]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_every_chart_compiles_and_renders_with_the_vendored_vega_without_warnings():
    specs = _specs()
    result = subprocess.run(
        ["node", str(Path(__file__).with_name("render_specs.js")), str(VENDOR)],
        input=json.dumps(specs),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    rendered = json.loads(result.stdout)
    assert len(rendered) == len(specs)
    for out in rendered:
        assert out["error"] is None, out["error"]
        assert out["warnings"] == [], out["warnings"]
        assert out["svg"].startswith("<svg")
    trend_svg = rendered[0]["svg"]
    assert "70,0\u00a0%" in trend_svg  # the value label, Swedish
    assert "Mål: 80,0\u00a0%" in trend_svg or "Target: 80,0\u00a0%" in trend_svg
    assert ">..<" in trend_svg  # the suppressed point's marker
