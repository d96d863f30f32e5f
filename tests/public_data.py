"""Where the shared public data (Skolverket, Kolada, SS 12000 spec) are: read-only test
material beside the project (../shared/data/public), as the project's README describes.

SKOLKVALITET_PUBLIC_DATA overrides the place; otherwise the folder beside this checkout, or
the workplace's /work/shared/data/public."""

from __future__ import annotations

import os
from pathlib import Path


def public_data() -> Path:
    candidates = [
        os.environ.get("SKOLKVALITET_PUBLIC_DATA", ""),
        str(Path(__file__).resolve().parents[2] / "shared" / "data" / "public"),
        "/work/shared/data/public",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return Path(candidates[1])


PUBLIC = public_data()
