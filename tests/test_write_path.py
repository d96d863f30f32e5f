"""The rule of the house "one write path" (docs/architecture.md): rows are written only by
the named write functions — modules named actions.py, the import's write path
(ingest/writing/), and the few writers the architecture names — never by views, selectors,
commands or templates. Checked on the source's syntax tree: a model's .save() or .delete(), a
manager's create/get_or_create/update_or_create, bulk_create/bulk_update, and a queryset's
.update() or .delete()."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "skolkvalitet"

# Writers besides actions.py modules, each a named write function the architecture lists.
WRITE_MODULES = {
    "ingest/writing/writer.py",  # BatchWriter: the one write path of imported data
    "ingest/writing/rollback.py",  # import_rollback
    "ingest/jobs.py",  # import_job_create / _start / _run: an upload's job and progress
    "ingest/ss12000/state.py",  # what a sync keeps between runs (links, sync states)
    "indicators/materialise.py",  # indicators_materialise: the one writer of IndicatorValue
    "organisation/audit.py",  # audit_record
    "organisation/user_actions.py",  # the user administration's writes (web/users/)
    "organisation/retention_policy.py",  # retention_period_set: the organiser's retention period
    "demo/builder.py",  # demo_build
}
MANAGER_WRITES = {"create", "get_or_create", "update_or_create", "bulk_create", "bulk_update"}
QUERYSET_READS = {"objects", "filter", "exclude", "all", "select_for_update", "select_related"}


def _chain(node: ast.AST) -> list[str]:
    """The attribute and call names of a receiver, outermost last: A.objects.filter(x)
    gives ["A", "objects", "filter"]."""
    names: list[str] = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            return names[::-1]
        else:
            return names[::-1]


def writes_in(source: str) -> list[tuple[int, str]]:
    """(line, what) for every database write call in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        receiver = _chain(node.func.value)
        if method in {"bulk_create", "bulk_update"}:
            found.append((node.lineno, method))
        elif method in MANAGER_WRITES and "objects" in receiver:
            found.append((node.lineno, f"objects.{method}"))
        elif method == "save" and not node.args:  # Model.save(); a workbook's save(file) is not
            found.append((node.lineno, "save"))
        elif method == "delete" and not node.args:
            found.append((node.lineno, "delete"))
        elif method == "update" and QUERYSET_READS & set(receiver):
            found.append((node.lineno, "queryset.update"))
    return found


def _is_write_module(relative: str) -> bool:
    return relative in WRITE_MODULES or Path(relative).name == "actions.py"


def test_only_the_write_functions_write_rows() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if "/migrations/" in relative or _is_write_module(relative):
            continue
        for line, what in writes_in(path.read_text("utf-8")):
            offenders.append(f"{relative}:{line}: {what}")
    assert not offenders, "Writes outside the write functions:\n" + "\n".join(offenders)


def test_the_check_finds_each_kind_of_write() -> None:
    source = """
def view(request, pupil, book):
    pupil.save()
    pupil.delete()
    Pupil.objects.create(pseudonym="x")
    Pupil.objects.filter(pk=1).update(given_name="A")
    Node.objects.bulk_create([])
    book.save(buffer)  # a workbook, not a row
    counts.update(other)  # a dict
"""
    assert [what for _line, what in writes_in(source)] == [
        "save",
        "delete",
        "objects.create",
        "queryset.update",
        "bulk_create",
    ]


def test_every_named_write_module_exists() -> None:
    assert all((SRC / relative).is_file() for relative in WRITE_MODULES)
