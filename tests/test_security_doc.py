"""docs/security.md's threat table names, for each threat, the tests that prove how it is met:
each named test file and function exists (a row marked *planned* names none yet)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "security.md"
TABLE_HEADING = "### Threats, how each is met, and the test that proves it"
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def threat_rows(text: str) -> list[str]:
    """The body rows of the threat table: the lines starting with `|` after its heading, up to
    the first line that is not one, without the header and its rule."""
    after = text.split(TABLE_HEADING, 1)[1]
    lines = after.strip().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows[2:]


def functions_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def test_the_threat_table_is_there_and_every_row_names_a_test_or_is_planned():
    rows = threat_rows(DOC.read_text(encoding="utf-8"))
    assert len(rows) >= 30
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert len(cells) == 3, row
        assert REFERENCE.search(cells[2]) or "*planned*" in cells[2], row


def test_every_test_the_table_names_exists():
    missing = []
    for row in threat_rows(DOC.read_text(encoding="utf-8")):
        for file, function in REFERENCE.findall(row):
            path = ROOT / file
            if not path.is_file() or function not in functions_in(path):
                missing.append(f"{file}::{function}")
    assert missing == []


def test_the_rows_of_single_sign_on_two_factor_and_user_administration_are_there():
    text = "\n".join(threat_rows(DOC.read_text(encoding="utf-8")))
    for folder in ("tests/web/sso/", "tests/web/two_factor/", "tests/web/users/"):
        assert folder in text or "*planned*" in text


def test_the_check_finds_a_missing_test(tmp_path):
    """The reading above fails on a name that does not exist (so the check can fail)."""
    row = "| x | y | `tests/test_security_doc.py::test_no_such_function` |"
    [(file, function)] = REFERENCE.findall(row)
    assert function not in functions_in(ROOT / file)
