"""Rules of the code that import-linter cannot see (docs/architecture.md): who writes grants,
and who reads ``app.state``. Each scan finds what it looks for first, so an empty answer means
the rule holds, not that the scan read nothing."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src" / "tsp_auth"
GRANT_TABLES = {"Grant", "Binding"}
WRITES = {"insert", "update", "delete"}


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(SOURCE.rglob("*.py")):
        yield str(path.relative_to(SOURCE)), ast.parse(path.read_text())


def _grant_writes(tree: ast.Module) -> Iterator[int]:
    """Lines that build a Grant or Binding row, or insert/update/delete their tables."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        name = node.func.id
        if name in GRANT_TABLES or (
            name in WRITES
            and any(isinstance(arg, ast.Name) and arg.id in GRANT_TABLES for arg in node.args)
        ):
            yield node.lineno


def _state_reads(tree: ast.Module) -> Iterator[int]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "state":
            owner = node.value
            if isinstance(owner, ast.Attribute) and owner.attr == "app":
                yield node.lineno


def test_only_the_grant_engine_writes_grants_and_bindings() -> None:
    found = {(path, line) for path, tree in _modules() for line in _grant_writes(tree)}

    assert any(path.startswith("grants/") for path, _ in found)  # the scan sees the engine
    assert sorted(p for p in found if not p[0].startswith(("grants/", "models/"))) == []


def test_only_the_app_and_its_dependencies_read_app_state() -> None:
    found = {(path, line) for path, tree in _modules() for line in _state_reads(tree)}

    assert any(path == "deps.py" for path, _ in found)
    assert sorted(p for p in found if p[0] not in {"deps.py", "app.py"}) == []
