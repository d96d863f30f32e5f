"""Where the public data the tests read are: tests/data/public/, copies in the repository of
the few published files (Skolverket, Kolada, the SS 12000 spec) the tests need, most of them
cut to the rows the tests read. tests/data/public/README.md names each file's source and
licence; cut.py there says how they were cut."""

from __future__ import annotations

from pathlib import Path

PUBLIC = Path(__file__).resolve().parent / "data" / "public"


def public_data() -> Path:
    return PUBLIC
