"""Fill empty or fuzzy Swedish translations from a JSON file of {msgid: msgstr}.

    uv run python tools/po_fill.py translations.json   # then: skolkvalitet compilemessages
    uv run python tools/po_fill.py --missing           # list msgids still untranslated

A maintainer's helper for the catalogue in src/skolkvalitet/locale/sv; not used at run time.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "src/skolkvalitet/locale/sv/LC_MESSAGES/django.po"
STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _unquote(lines: list[str]) -> str:
    return "".join(
        bytes(m, "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
        for line in lines
        for m in STRING.findall(line)
    )


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def entries(text: str) -> list[list[str]]:
    return [block.split("\n") for block in text.strip("\n").split("\n\n")]


def msgid_of(block: list[str]) -> tuple[str | None, int, int]:
    """(msgid, index of msgstr line, end of msgstr) for a singular entry, else None."""
    if any(line.startswith("msgid_plural") for line in block):
        return None, -1, -1
    try:
        start = next(i for i, line in enumerate(block) if line.startswith("msgid "))
        end = next(i for i, line in enumerate(block) if line.startswith("msgstr "))
    except StopIteration:
        return None, -1, -1
    return _unquote(block[start:end]), end, len(block)


def main() -> None:
    text = PO.read_text(encoding="utf-8")
    blocks = entries(text)
    if sys.argv[1:] == ["--missing"]:
        for block in blocks[1:]:
            msgid, at, end = msgid_of(block)
            fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in block)
            if msgid and (fuzzy or _unquote(block[at:end]) == ""):
                print(json.dumps(msgid, ensure_ascii=False))
        return
    translations = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    out = [blocks[0]]
    for block in blocks[1:]:
        msgid, at, end = msgid_of(block)
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in block)
        if msgid in translations and (fuzzy or _unquote(block[at:end]) == ""):
            block = [line for line in block if not line.startswith("#| ")]
            block = [
                re.sub(r",? ?fuzzy,?", "", line).replace("#, ,", "#,").rstrip(", ")
                if line.startswith("#,")
                else line
                for line in block
            ]
            block = [line for line in block if line.strip() not in {"#,", "#"}]
            _m, at, _end = msgid_of(block)
            block = [*block[:at], "msgstr " + _quote(translations[msgid])]
        out.append(block)
    PO.write_text("\n\n".join("\n".join(b) for b in out) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
