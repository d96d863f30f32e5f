"""What an import reports: the problems that reject a file, and the outcome of one accepted.

Every importer (files, Skolenhetsregistret, reference data, SS 12000) raises ImportRejected
with all the problems it found, before anything is written, and returns an ImportOutcome.
Messages are translatable (English msgids, Swedish catalogue) and carry file, line and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from skolkvalitet.batches.models import ImportBatch


@dataclass(frozen=True)
class ImportProblem:
    file: str  # the file's name as the user gave it
    line: int | None  # 1-based line in the file (CSV) or row (XLSX); None for the whole file
    column: str | None  # the column's heading as written in the file, or its letter/number
    message: str  # already translated

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class ImportRejected(Exception):
    """The file was not imported; the database is unchanged."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems[:20]))


@dataclass
class ImportOutcome:
    batch: ImportBatch | None  # the recorded import; the earlier one when unchanged
    rows: int  # data rows read from the file
    unchanged: bool = False  # the same file had already been imported: nothing was written
    notes: list[str] = field(default_factory=list)  # what was created, for the user to read
