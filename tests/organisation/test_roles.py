"""The capability table (organisation/roles.py) is the one place that says what a role may do:
every role has a spec, docs/security.md's matrix is rendered from it, the scope answers from
it, and no other module decides by naming a role."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from skolkvalitet.organisation.models import Node, Role
from skolkvalitet.organisation.roles import (
    ROLE_SPECS,
    Capability,
    RoleSpec,
    capability_matrix_markdown,
    role_can,
)
from skolkvalitet.organisation.scopes import Grant, Scope

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "skolkvalitet"
SECURITY_MD = ROOT / "docs" / "security.md"

# Modules that may name a role in a comparison or a role set. demo/builder.py gives the
# coach's demo grant an end date with `role == Role.COACH`; it should read
# `ROLE_SPECS[role].time_limited` (left to the demo's owner).
NAMES_ROLES = {"organisation/roles.py"}


def test_every_role_has_a_spec_under_its_own_name():
    assert set(ROLE_SPECS) == {role.value for role in Role}
    for key, spec in ROLE_SPECS.items():
        assert isinstance(spec, RoleSpec)
        assert spec.role == key


def test_every_capability_is_described_and_given_to_some_role():
    for capability in Capability:
        assert capability.description
        assert any(role_can(role, capability) for role in ROLE_SPECS), capability


def test_the_table_as_the_docs_state_it():
    # What the roles may do, spelled out once more by hand: a change to the table is a
    # change to what users may do, and must be meant.
    expected = {
        Capability.SEE_PUPILS: {"organiser_admin", "analyst", "unit_head", "teacher"},
        Capability.IMPORT_DATA: {"organiser_admin"},
        Capability.ROLL_BACK_IMPORTS: {"organiser_admin"},
        Capability.SET_TARGETS: {"organiser_admin"},
        Capability.MANAGE_CALENDAR: {"organiser_admin"},
        Capability.EDIT_COMMON_MODEL: {"organiser_admin"},
        Capability.SEE_FOLLOW_UP: {"organiser_admin", "analyst", "unit_head", "board", "coach"},
        Capability.WRITE_DIALOGUE: {"unit_head"},
        Capability.REVIEW_DIALOGUE: {"organiser_admin", "analyst"},
        Capability.APPROVE_ORGANISER_REPORT: {"organiser_admin"},
        Capability.MANAGE_USERS: {"organiser_admin"},
        Capability.SEE_AUDIT_LOG: {"organiser_admin"},
    }
    assert set(expected) == set(Capability)
    for capability, roles in expected.items():
        assert {r for r in ROLE_SPECS if role_can(r, capability)} == roles, capability
    assert {r for r, spec in ROLE_SPECS.items() if spec.time_limited} == {"coach"}


def test_security_md_matrix_is_the_table():
    text = SECURITY_MD.read_text(encoding="utf-8")
    found = re.search(
        r"<!-- capability-matrix:[^\n]*-->\n(.*?)<!-- /capability-matrix -->", text, re.S
    )
    assert found, "docs/security.md has lost its capability-matrix markers"
    assert found.group(1) == capability_matrix_markdown(), (
        "docs/security.md's capability matrix differs from organisation/roles.py; paste:\n"
        + capability_matrix_markdown()
    )


def test_the_matrix_names_every_role_and_capability():
    header, _rule, *rows = capability_matrix_markdown().splitlines()
    assert header == "| capability | what it allows | " + " | ".join(ROLE_SPECS) + " |"
    assert [row.split(" | ")[0] for row in rows] == [
        *(f"| `{c}`" for c in Capability),
        "| `time_limited`",
    ]


def _scope(*grants: tuple[str, str]) -> Scope:
    return Scope(user_id=1, grants=tuple(Grant(i, p, r) for i, (p, r) in enumerate(grants)))


def _node(path: str) -> Node:
    return Node(path=path)


@pytest.mark.parametrize("role", [role.value for role in Role])
@pytest.mark.parametrize("capability", list(Capability))
def test_a_grant_on_the_organiser_gives_what_the_table_says_in_its_subtree(role, capability):
    scope = _scope(("/1/", role))
    allowed = role_can(role, capability)
    assert scope.can(capability, _node("/1/4/17/")) is allowed
    assert scope.can(capability, _node("/2/")) is False  # another organiser
    assert scope.can_somewhere(capability) is allowed
    assert scope.paths_with(capability) == (["/1/"] if allowed else [])


@pytest.mark.parametrize("capability", list(Capability))
def test_organiser_only_capabilities_do_not_count_below_the_organiser(capability):
    scope = _scope(("/1/4/", Role.ORGANISER_ADMIN))
    expected = role_can(Role.ORGANISER_ADMIN, capability) and not capability.organiser_only
    assert scope.can(capability, _node("/1/4/17/")) is expected
    assert scope.can_somewhere(capability) is expected
    assert {
        Capability.APPROVE_ORGANISER_REPORT,
        Capability.ROLL_BACK_IMPORTS,
        Capability.MANAGE_CALENDAR,
        Capability.EDIT_COMMON_MODEL,
        Capability.MANAGE_USERS,
        Capability.SEE_AUDIT_LOG,
    } == {c for c in Capability if c.organiser_only}


def test_paths_with_folds_nested_grants_and_keeps_siblings():
    scope = _scope(("/1/4/", "unit_head"), ("/1/4/17/", "unit_head"), ("/1/5/", "unit_head"))
    assert scope.paths_with(Capability.WRITE_DIALOGUE) == ["/1/4/", "/1/5/"]
    assert scope.paths_with(Capability.REVIEW_DIALOGUE) == []


def test_the_import_page_reads_the_table():
    # ingest/views.py asks IMPORT_DATA (where) and ROLL_BACK_IMPORTS (whether).
    area_admin = _scope(("/1/4/", Role.ORGANISER_ADMIN))
    assert area_admin.paths_with(Capability.IMPORT_DATA) == ["/1/4/"]
    assert not area_admin.can_somewhere(Capability.ROLL_BACK_IMPORTS)
    assert _scope(("/1/", Role.ORGANISER_ADMIN)).can_somewhere(Capability.ROLL_BACK_IMPORTS)
    assert _scope(("/1/", Role.ANALYST)).paths_with(Capability.IMPORT_DATA) == []


def _decides_by_role(tree: ast.AST) -> list[int]:
    """Lines that compare with a Role member or build a set of them."""

    def is_role(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "Role"
        )

    def holds_role(node: ast.AST) -> bool:
        return any(is_role(n) for n in ast.walk(node))

    def is_role_set(node: ast.AST) -> bool:
        if isinstance(node, ast.Set | ast.SetComp):
            return True
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"frozenset", "set"}
        )

    lines = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Compare) or is_role_set(node)) and holds_role(node):
            lines.add(node.lineno)
    return sorted(lines)


def test_no_module_decides_by_naming_a_role():
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if relative in NAMES_ROLES or "/migrations/" in relative:
            continue
        lines = _decides_by_role(ast.parse(path.read_text(encoding="utf-8")))
        offenders += [f"{relative}:{line}" for line in lines]
    assert offenders == [], "ask the capability table (organisation/roles.py) instead"


def test_the_role_check_finds_role_sets_and_comparisons():
    source = "A = frozenset({Role.BOARD})\nif g.role == Role.COACH: pass\nB = {Role.ANALYST}\n"
    assert _decides_by_role(ast.parse(source)) == [1, 2, 3]
