#!/usr/bin/env python3
"""Codemod: reason codes written as string literals become members of the one catalogue.

    .venv/bin/python scripts/reason_codes.py            # rewrite src/tsp_auth and tests
    .venv/bin/python scripts/reason_codes.py --check    # exit 1 if anything is left to rewrite
    .venv/bin/python scripts/reason_codes.py PATH ...   # only these files or folders

The catalogue is ``tsp_auth.policy.Reason`` (src/tsp_auth/policy/reasons.py): a member's name is
its value in capitals. Re-runnable and idempotent: it finds the spots with ``ast`` (exact line
and column), rewrites only those, adds ``from tsp_auth.policy import Reason`` where a module
needs it, then lets ruff sort the imports and format the files it changed. A second run
changes nothing. A literal that names no code of the catalogue stops the run, naming
file:line: add the code (and its message) to the catalogue by hand, then run again.

What it rewrites, in src/tsp_auth (tests keep their literals: they assert the wire values):
- ``error="x"`` and ``reason="x"`` keyword arguments (both branches of a conditional too),
  except segno's ``error=``, a QR error-correction level (``qr.make*(…)``);
- ``error = "x"`` in a class body (an error class's default) or in a function;
- module constants passed as ``error=`` / ``reason=`` (``CANCELLED_REASON = "x"``), and those
  named after their code (``ORIGIN_MISMATCH = "origin_mismatch"``);
- the code argument of ``error_response`` and ``Decision.denied``, and of a function of the same
  module whose parameter is named ``error``, given by position;
- ``{"error": "x"}`` and comparisons ``decision.reason == "x"`` / ``….error != "x"``.
Everywhere (tests too): the enums folded into the catalogue, ``BcReason.X``, ``AppReason.X``,
``SessionReason.X``, become ``Reason.X``, and their imports go, as does ``Reason`` imported
from its old home ``tsp_auth.policy.verdict``.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "tsp_auth"
CATALOGUE = SRC / "policy" / "reasons.py"
SKIPPED = {CATALOGUE}
CODE = re.compile(r"[a-z][a-z0-9_]*")
CODE_NAMES = {"error", "reason"}
# Helpers of other modules whose code argument comes by position: name -> index.
POSITIONAL = {"error_response": 1, "denied": 0}
# The enums folded into Reason; members whose name is not their value in capitals.
LEGACY_ENUMS = {"BcReason", "AppReason", "SessionReason"}
LEGACY_MEMBERS = {("BcReason", "LEVEL_TOO_LOW"): "permission_level_too_low"}
# policy/decisions.py was renamed policy/verdict.py (issue 20); old branches import the former.
LEGACY_HOMES = {"tsp_auth.policy.decisions": {"Reason"}, "tsp_auth.policy.verdict": {"Reason"}}


class UnknownCode(Exception):
    pass


def load_catalogue() -> set[str]:
    """The catalogue's codes, read without importing the application."""
    spec = importlib.util.spec_from_file_location("_reason_catalogue", CATALOGUE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and enums look their module up
    spec.loader.exec_module(module)
    return {member.value for member in module.Reason}


@dataclass(frozen=True)
class Edit:
    start: tuple[int, int]  # (line, column in UTF-8 bytes), as ast gives them
    end: tuple[int, int]
    text: str


def _span(node: ast.AST, text: str) -> Edit:
    start = (node.lineno, node.col_offset)  # type: ignore[attr-defined]
    return Edit(start, (node.end_lineno, node.end_col_offset), text)  # type: ignore[attr-defined]


def _is_str(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _is_qr_call(call: ast.Call) -> bool:
    """segno's ``error=`` is a QR error-correction level, not a reason code."""
    return isinstance(call.func, ast.Attribute) and call.func.attr.startswith("make")


def _branches(node: ast.expr) -> Iterator[ast.expr]:
    """The values an expression may take: both sides of ``a if c else b``."""
    if isinstance(node, ast.IfExp):
        yield from _branches(node.body)
        yield from _branches(node.orelse)
    else:
        yield node


def _compares_a_code(left: ast.expr) -> bool:
    """``….error`` or ``decision.reason``; not ``exc.reason`` (crypto's own words for a token)."""
    if isinstance(left, ast.Attribute) and left.attr == "reason":
        return isinstance(left.value, ast.Name) and "decision" in left.value.id
    name = left.attr if isinstance(left, ast.Attribute) else getattr(left, "id", None)
    return name == "error"


def _callee(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _code_params(tree: ast.Module) -> dict[str, int]:
    """Functions of this module with a parameter named ``error``: name -> its index. (Not
    ``reason``: helpers take one for the words of a description, as ``_invalid(reason)``.)"""
    found = dict(POSITIONAL)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names = [a.arg for a in node.args.posonlyargs + node.args.args]
            offset = 1 if names[:1] in (["self"], ["cls"]) else 0
            for index, name in enumerate(names):
                if name == "error":
                    found[node.name] = index - offset
    return found


class Finder(ast.NodeVisitor):
    """The literal reason codes of one module: (node, strict) pairs. ``strict``: the spot holds
    a reason code whatever the string looks like, so any literal must be in the catalogue."""

    def __init__(self, tree: ast.Module) -> None:
        self.spots: list[tuple[ast.expr, bool]] = []
        self.passed_names: set[str] = set()
        self.params = _code_params(tree)

    def _take(self, value: ast.expr, strict: bool) -> None:
        for branch in _branches(value):
            if _is_str(branch):
                self.spots.append((branch, strict))
            elif isinstance(branch, ast.Name):
                self.passed_names.add(branch.id)

    def visit_Call(self, node: ast.Call) -> None:
        for keyword in node.keywords:
            if keyword.arg == "error" and not _is_qr_call(node):
                self._take(keyword.value, strict=True)
            elif keyword.arg == "reason":
                self._take(keyword.value, strict=False)
        index = self.params.get(_callee(node) or "")
        if index is not None and 0 <= index < len(node.args):
            self._take(node.args[index], strict=False)
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for item in node.body:
            target: ast.expr | None = item.target if isinstance(item, ast.AnnAssign) else None
            if isinstance(item, ast.Assign) and len(item.targets) == 1:
                target = item.targets[0]
            value = getattr(item, "value", None)
            if isinstance(target, ast.Name) and target.id == "error" and value is not None:
                self._take(value, strict=True)
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for child in ast.walk(node):
            if isinstance(child, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id in CODE_NAMES for t in child.targets
            ):
                self._take(child.value, strict=False)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value == "error":
                self._take(value, strict=False)
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        if _compares_a_code(node.left) and all(isinstance(o, ast.Eq | ast.NotEq) for o in node.ops):
            for comparator in node.comparators:
                self._take(comparator, strict=False)
        self.generic_visit(node)


def _module_constants(tree: ast.Module, names: set[str], codes: set[str]) -> Iterator[ast.expr]:
    """Constants passed as a code, and constants named after their code (``GONE = "gone"``)."""
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and _is_str(node.value)):
            continue
        targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
        value = node.value.value  # type: ignore[attr-defined]
        if set(targets) & names or (value in codes and value.upper() in targets):
            yield node.value


def literal_edits(tree: ast.Module, codes: set[str], where: str) -> list[Edit]:
    finder = Finder(tree)
    finder.visit(tree)
    spots = finder.spots + [(c, False) for c in _module_constants(tree, finder.passed_names, codes)]
    edits = []
    for node, strict in spots:
        value = node.value  # type: ignore[attr-defined]
        if not strict and not CODE.fullmatch(value):
            continue  # a sentence, not a code
        if value not in codes:
            raise UnknownCode(f"{where}:{node.lineno}: {value!r} is not in the catalogue")
        edits.append(_span(node, "Reason." + value.upper()))
    return edits


def _member_value(node: ast.stmt) -> str | None:
    """The code of ``NAME = "x"`` or ``NAME = Reason.X.value`` in a folded enum's body."""
    value = node.value if isinstance(node, ast.Assign) else None
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value
    if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Attribute):
        return value.value.attr.lower()
    return None


def _legacy_classes(tree: ast.Module, path: Path) -> list[ast.ClassDef]:
    """A folded enum defined again (a merge that took the other side of a conflict)."""
    again = LEGACY_ENUMS | ({"Reason"} if path == SRC / "policy" / "decisions.py" else set())
    return [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name in again]


def class_edits(classes: list[ast.ClassDef], codes: set[str], where: str) -> list[Edit]:
    """Delete them: every member's code must be in the catalogue already."""
    edits = []
    for node in classes:
        for item in node.body:
            value = _member_value(item)
            if value is not None and value not in codes:
                raise UnknownCode(
                    f"{where}:{item.lineno}: {node.name} holds {value!r}, not in the catalogue"
                )
        first = min([node.lineno] + [d.lineno for d in node.decorator_list])
        edits.append(Edit((first, 0), ((node.end_lineno or first) + 1, 0), ""))
    return edits


def _all_edits(tree: ast.Module) -> list[Edit]:
    """``__all__`` names no folded enum any more."""
    edits = []
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.List | ast.Tuple)):
            continue
        if not any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            continue
        items = node.value.elts
        kept = [e for e in items if not (_is_str(e) and e.value in LEGACY_ENUMS)]  # type: ignore[attr-defined]
        if len(kept) < len(items):
            edits.append(_span(node.value, "[" + ", ".join(ast.unparse(e) for e in kept) + "]"))
    return edits


def legacy_edits(tree: ast.Module, codes: set[str], path: Path, where: str) -> list[Edit]:
    """``BcReason.X`` -> ``Reason.X`` (by value: some old names differ)."""
    classes = _legacy_classes(tree, path)
    inside = {id(n) for c in classes for n in ast.walk(c)}
    edits = class_edits(classes, codes, where) + _all_edits(tree)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in LEGACY_ENUMS
            and id(node) not in inside
        ):
            value = LEGACY_MEMBERS.get((node.value.id, node.attr), node.attr.lower())
            if value not in codes:
                raise UnknownCode(f"{where}:{node.lineno}: {node.value.id}.{node.attr} is no code")
            edits.append(_span(node, "Reason." + value.upper()))
    members = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    for node in ast.walk(tree):
        bare = isinstance(node, ast.Name) and node.id in LEGACY_ENUMS and id(node) not in members
        if bare and id(node) not in inside:
            raise UnknownCode(f"{where}:{node.lineno}: {node.id} itself is used: rewrite by hand")  # type: ignore[attr-defined]
    return edits


def _legacy_names(node: ast.ImportFrom) -> set[str]:
    return LEGACY_ENUMS | LEGACY_HOMES.get(node.module or "", set())


def _imports_legacy(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.ImportFrom) and {a.name for a in node.names} & _legacy_names(node)
        for node in tree.body
    )


def import_edits(tree: ast.Module, wanted: str) -> list[Edit]:
    """Drop the imports of the folded enums (and of Reason from its old home); add ``wanted``
    after the last top-level import if the module does not import Reason already."""
    edits, has_reason, last = [], False, None
    for node in tree.body:
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        last = node
        if not isinstance(node, ast.ImportFrom):
            continue
        gone = _legacy_names(node)
        kept = [a for a in node.names if a.name not in gone]
        if len(kept) < len(node.names):
            names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in kept)
            text = f"from {node.module} import {names}" if kept else "pass  # reason_codes"
            edits.append(_span(node, text))
        has_reason |= any((a.asname or a.name) == "Reason" for a in kept)
    if not has_reason:
        anchor = (last.end_lineno or 1, last.end_col_offset or 0) if last else (1, 0)
        edits.append(Edit(anchor, anchor, ("\n" if last else "") + wanted + ("" if last else "\n")))
    return edits


def _uses_reason(source: str) -> bool:
    return any(
        isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "Reason"
        for n in ast.walk(ast.parse(source))
    )


def apply(source: str, edits: Iterable[Edit]) -> str:
    lines = source.encode().splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    data = source.encode()
    unique = {(e.start, e.end): e for e in edits}.values()  # a spot found by two rules
    for edit in sorted(unique, key=lambda e: e.start, reverse=True):
        begin = starts[edit.start[0] - 1] + edit.start[1]
        end = starts[edit.end[0] - 1] + edit.end[1]
        data = data[:begin] + edit.text.encode() + data[end:]
    return data.decode()


def _drop_placeholders(source: str) -> str:
    return re.sub(r"^pass  # reason_codes\n", "", source, flags=re.MULTILINE)


def rewrite(path: Path, codes: set[str]) -> str:
    """The module's new source (the same text if nothing is to change)."""
    source = path.read_text()
    tree = ast.parse(source)
    where = str(path.relative_to(ROOT))
    edits = legacy_edits(tree, codes, path, where)
    if path.is_relative_to(SRC):
        edits += literal_edits(tree, codes, where)
    if not edits and not _imports_legacy(tree):
        return source
    result = apply(source, edits)
    in_policy = path.is_relative_to(SRC / "policy")
    wanted = f"from tsp_auth.policy{'.reasons' if in_policy else ''} import Reason"
    result = apply(result, import_edits(ast.parse(result), wanted))
    result = _drop_placeholders(result)
    if not _uses_reason(result):
        result = result.replace("\n" + wanted, "", 1)
    return result


def _files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        found = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        yield from (p.resolve() for p in found if p.resolve() not in SKIPPED)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if due")
    parser.add_argument("paths", nargs="*", type=Path, default=[SRC, ROOT / "tests"])
    args = parser.parse_args(argv)
    codes = load_catalogue()
    changed = []
    try:
        for path in _files(args.paths):
            new = rewrite(path, codes)
            if new != path.read_text():
                changed.append(path)
                if not args.check:
                    path.write_text(new)
    except UnknownCode as exc:
        print(f"reason_codes: {exc}", file=sys.stderr)
        return 2
    for path in changed:
        print(("would rewrite " if args.check else "rewrote ") + str(path.relative_to(ROOT)))
    if changed and not args.check:
        ruff = [sys.executable, "-m", "ruff"]
        names = [str(p) for p in changed]
        # The project's own rules, so RUF100 knows which noqa comments still matter; fixes of
        # these only: sorted imports, unused ones, and noqa comments the rewrite made stale.
        fix = [*ruff, "check", "--fix", "--fixable", "I,F401,RUF100", "--silent", *names]
        subprocess.run(fix, check=False)  # noqa: S603
        subprocess.run([*ruff, "format", "-q", *names], check=True)  # noqa: S603
    return 1 if changed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
