"""What `make mutation-guard` mutates: the functions (and module-level tables) of the safety
core that a change touched, not every mutant of the touched files (docs/testing.md, "The CI
guard").

"The change" is ``git diff <base> HEAD``; CI's fresh clone of main uses ``HEAD~1`` (the first
parent: for a merge commit, everything the merged branch changed; otherwise the last commit).
"""

from __future__ import annotations

import ast
import fnmatch
import re
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T", bound=Any)  # run.Target (a frozen dataclass)
HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


@dataclass(frozen=True)
class Touched:
    functions: list[str]  # mutmut's names of the touched functions: module.x_f, module.xǁCǁm
    module_level: bool  # a line outside every function changed (a table, a default)


def changed_files(root: Path, base: str) -> list[str] | None:
    """Files changed between ``base`` and HEAD; None if git cannot tell (a shallow clone)."""
    found = subprocess.run(
        ["git", "diff", "--name-only", base, "HEAD"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode != 0:
        print(f"git diff {base} HEAD failed: {found.stderr.strip()}")
        return None
    return found.stdout.split()


def changed_lines(root: Path, base: str, file: str) -> set[int]:
    """Lines of HEAD's ``file`` that differ from ``base`` (a deletion marks the line after)."""
    diff = subprocess.run(
        ["git", "diff", "-U0", base, "HEAD", "--", file],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines: set[int] = set()
    for match in HUNK.finditer(diff):
        start, count = int(match[1]), int(match[2] or "1")
        lines |= set(range(start, start + count)) if count else {start, start + 1}
    return lines


def touched(root: Path, file: str, lines: set[int]) -> Touched:
    path = root / file
    if not path.exists():  # deleted: nothing left to mutate
        return Touched([], False)
    module = file.removeprefix("src/").removesuffix(".py").replace("/", ".")
    tree = ast.parse(path.read_text())
    names: list[str] = []
    inside: set[int] = set()
    for name, node in _functions(tree):
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        span = set(range(first, (node.end_lineno or node.lineno) + 1))
        inside |= span
        if span & lines:
            names.append(f"{module}.{name}")
    return Touched(names, bool(lines - inside))


def _functions(tree: ast.Module) -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """mutmut's name of each top-level function and method."""
    found: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.append((f"x_{node.name}", node))
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    found.append((f"x\u01c1{node.name}\u01c1{item.name}", item))
    return found


def changed_targets(targets: dict[str, T], root: Path, base: str) -> dict[str, T]:
    """Each target restricted to the functions and tables changed since ``base``: its mutmut
    names become those functions' (kept only where the target's own names take them), its
    tables the touched files with a module-level change."""
    files = changed_files(root, base)
    if files is None:  # no history to diff against: the last commit's files, whole
        files = changed_files(root, "HEAD~1") or []
    picked: dict[str, T] = {}
    for name, target in targets.items():
        mine = [f for f in files if any(fnmatch.fnmatch(f, p) for p in target.mutate)]
        patterns: list[str] = []
        tables: list[str] = []
        for file in mine:
            found = touched(root, file, changed_lines(root, base, file))
            patterns += [
                f"{function}__mutmut_*"
                for function in found.functions
                if any(fnmatch.fnmatchcase(f"{function}__mutmut_*", n) for n in target.names)
            ]
            if found.module_level and file in target.tables:
                tables.append(file)
        if patterns or tables:
            # No function touched but a table: a pattern no mutant matches, so mutmut runs none.
            names = patterns or [f"{mine[0]}.no-function-touched"]
            picked[name] = replace(target, mutate=mine, names=names, tables=tables)
            print(f"guard: {name}: {', '.join(patterns) or 'no function'}; tables {tables}")
    return picked
