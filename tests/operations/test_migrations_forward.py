"""Migrations forward on a copy of the demo database (issue 15, item 3). A small demo is built
in a SQLite file of its own, in a process of its own, and copied; on the copy each app's latest
migration that nothing else depends on is taken back and every migration applied forward
again (scripts/migrations_forward.py), as an upgrade applies the new migrations of a release
to a database full of data.

What it proves: those migrations run on a populated database (their constraints, indexes and
data steps hold on demo-shaped data), no table loses or gains a row, the stored figures are
untouched, the models need no migration that is not written, and the indicators computed
again from the migrated facts have the same values and n as before. What it does not: the
results app's 0007 cannot be taken back once a term holds several absence periods (its
reverse would need one row per term), so it is run forward only, by the build."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parent / "scripts" / "migrations_forward.py"
SCALE = "0.05"


def run(database: Path, *args: str) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "SKOLKVALITET_VAR_DIR": str(database.parent),
    }
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *args], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_migrations_run_forward_on_a_copy_of_the_demo_and_the_figures_stay(tmp_path) -> None:
    demo = tmp_path / "demo.sqlite3"
    run(demo, "build", SCALE)
    copy = tmp_path / "copy" / "demo.sqlite3"
    copy.parent.mkdir()
    shutil.copy(demo, copy)
    result = json.loads(run(copy, "check"))

    assert "indicators.0007_materialised_period_per_organiser" in result["stepped"]
    assert result["models_match"]
    before, after = result["before"], result["after_migrations"]
    assert before["counts"]["results_grade"] > 10_000
    assert after["counts"] == before["counts"]
    assert len(before["figures"]) > 100_000
    assert after["figures"] == before["figures"]

    # Computed again from the migrated facts: the same values and n. (The suppression markers
    # are left out here: the stored demo's differ from a full recomputation at some follow-up
    # points, with or without migrations, which is the suppression's concern, not theirs.)
    def values(rows):
        return {
            tuple(row[:5]): (None if row[5] is None else round(row[5], 9), row[6]) for row in rows
        }

    assert values(result["recomputed"]) == values(before["figures"])
