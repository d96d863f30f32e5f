"""The terminal progress bar the import and sync commands show while indicators are computed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm

Progress = Callable[[str, int, int], None]


@contextmanager
def terminal_progress(stream, *, enabled: bool = True) -> Iterator[Progress | None]:
    """A `progress(label, done, total)` callback drawing a bar on `stream` (a command's
    stderr), or None when disabled (logs, tests)."""
    if not enabled:
        yield None
        return
    bars: list[tqdm] = []  # made at the first call, so a rejected file draws no bar

    def progress(label: str, done: int, total: int) -> None:
        if not bars:
            bars.append(tqdm(total=total, desc="Indikatorer", unit="period", file=stream))
        bar = bars[0]
        bar.total = total
        bar.set_postfix_str(label)
        bar.update(done - bar.n)

    try:
        yield progress
    finally:
        for bar in bars:
            bar.close()
