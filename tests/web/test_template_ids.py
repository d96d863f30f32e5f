"""Ids written into forms and data attributes are never localised: with Swedish number
formats a pk over 999 would be written "1 234" (a no-break space between thousands), which a
form then sends back and the view cannot read (seen on PostgreSQL, whose ids grow past 999)."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "skolkvalitet"
LOCALISED_ID = re.compile(r'(value|data-[\w-]+)="\{\{ [\w.]*(?:\.pk|\.\w*_id) \}\}"')


def test_no_template_writes_an_id_through_number_formatting():
    offenders = [
        f"{path.relative_to(SRC)}:{text[: m.start()].count(chr(10)) + 1}"
        for path in sorted(SRC.rglob("*.html"))
        for text in [path.read_text(encoding="utf-8")]
        for m in LOCALISED_ID.finditer(text)
    ]
    assert offenders == [], "write ids with |unlocalize"


def test_the_check_finds_a_localised_id():
    assert LOCALISED_ID.search('<option value="{{ p.pk }}">')
    assert LOCALISED_ID.search('<tr data-pupil="{{ p.pupil_id }}">')
    assert not LOCALISED_ID.search('<option value="{{ p.pk|unlocalize }}">')
    assert not LOCALISED_ID.search('<figure data-chart-spec="{{ spec_id }}">')
