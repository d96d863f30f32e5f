"""The engine's core is pure: importing it loads no Django."""

from __future__ import annotations

import subprocess
import sys

PURE_MODULES = (
    "skolkvalitet.indicators.registry",
    "skolkvalitet.indicators.final_grades",
    "skolkvalitet.indicators.measures",
    "skolkvalitet.indicators.engine",
    "skolkvalitet.indicators.suppression",
    "skolkvalitet.indicators.distribution",
    "skolkvalitet.indicators.markers",
    "skolkvalitet.organisation.calendar",
    "skolkvalitet.organisation.unit_codes",
    "skolkvalitet.results.absence",
    "skolkvalitet.quality.common_model",
    "skolkvalitet.quality.plans.progress",
)


def test_the_core_modules_import_no_django():
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in PURE_MODULES)
        + "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        + "print(loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.stdout.strip() == "[]"
