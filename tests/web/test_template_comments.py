"""Django's {# … #} comment ends at its line: one spread over lines is printed on the page
(the page cache's body templates once opened with such a comment, shown to every reader)."""

from __future__ import annotations

from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "skolkvalitet"


def test_no_template_opens_a_one_line_comment_it_does_not_close_on_that_line():
    broken = [
        f"{path.relative_to(SRC)}:{number}"
        for path in sorted(SRC.rglob("templates/**/*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "{#" in line and "#}" not in line[line.index("{#") :]
    ]
    assert broken == [], "use {% comment %} for a comment over several lines: " + ", ".join(broken)
