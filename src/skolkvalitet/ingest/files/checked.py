"""What checking a pupil-data file produces: the problems found so far (Problems, which
raises ImportRejected with every problem at file:line:column) and, for a file without
problems, its parsed rows (Checked). Shared by validation.py, the kinds' rules (rules.py) and
the final-grade rule (final_grades.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl
from django.utils.translation import gettext as _

from skolkvalitet.batches.problems import ImportProblem, ImportRejected
from skolkvalitet.organisation.identity import PersonalNumber

if TYPE_CHECKING:
    from skolkvalitet.ingest.files.kinds import FileKind

MAX_PROBLEMS_LISTED = 200


@dataclass
class Checked:
    """A file that passed every check: parsed columns named as the kind's columns, `_line`,
    and the derived `pupil` (pseudonym), `unit_id`, `subject_id`, ... where they apply."""

    kind: FileKind
    file: str
    rows: int
    frame: pl.DataFrame
    people: dict[str, PersonalNumber] = field(default_factory=dict)  # pseudonym → number
    notes: list[str] = field(default_factory=list)


class Problems:
    """Problems found in one file: single ones and whole columns of rows at once."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.frames: list[pl.DataFrame] = []
        self.single: list[ImportProblem] = []

    def add(self, line: int | None, column: str | None, message: str) -> None:
        self.single.append(ImportProblem(self.file, line, column, message))

    def add_rows(self, lines: pl.Series, column: str | None, messages: pl.Series | str) -> None:
        if lines.len() == 0:
            return
        if isinstance(messages, str):
            messages = pl.Series([messages] * lines.len(), dtype=pl.String)
        self.frames.append(
            pl.DataFrame(
                {
                    "line": lines.cast(pl.Int64),
                    "column": pl.Series([column] * lines.len(), dtype=pl.String),
                    "message": messages,
                }
            )
        )

    def raise_if_any(self) -> None:
        problems = list(self.single)
        if self.frames:
            frame = pl.concat(self.frames).sort("line", maintain_order=True)
            total = frame.height
            for line, column, message in frame.head(MAX_PROBLEMS_LISTED).iter_rows():
                problems.append(ImportProblem(self.file, line, column, message))
            if total > MAX_PROBLEMS_LISTED:
                problems.append(
                    ImportProblem(
                        self.file,
                        None,
                        None,
                        _("… and %(count)d more problems.")
                        % {"count": total - MAX_PROBLEMS_LISTED},
                    )
                )
        if problems:
            raise ImportRejected(problems)
