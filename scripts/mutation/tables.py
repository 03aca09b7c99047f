#!/usr/bin/env python3
"""The AST driver: mutants of what mutmut does not mutate (docs/testing.md).

mutmut 3 mutates inside functions only. The policy's rules are mostly data: module-level
tables (a market list, a role catalogue, a rule mapping) and dataclass field defaults. This
driver makes, per file:
- one mutant per element of every set, list, tuple or dict literal in a module-level
  assignment: that element removed (``"LU"`` out of the EU list, ``"GB"`` out of the UK row);
- one mutant per dataclass field default: the default replaced by ``None``;
- in a function the module calls while it is imported (``_seller_center`` building the
  ``ACTIONS`` table): each literal collection element removed, each ``True``/``False``
  flipped, each keyword argument dropped. mutmut switches its mutants on only while a test
  runs, long after the import, so it can never kill these; run.py leaves them to this driver.

Each mutant runs in a forked child of this process (everything imported once): the child
re-executes the mutated module in its own namespace, rebinds every other loaded ``tsp_auth`` or
``tests`` module's reference to a replaced object, and runs pytest on the target's tests,
``-x``. Exit status 0 is a survivor. Prints ``### <name>: <status>`` then what was mutated.

    .venv/bin/python scripts/mutation/tables.py --tests tests/policy --files src/.../markets.py
"""

from __future__ import annotations

import argparse
import ast
import copy
import importlib
import os
import signal
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

ROOT = Path.cwd()  # the checkout whose files are mutated (run.py: the repository, or --tree)
TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class Mutant:
    name: str
    what: str
    source: str


def _collections(node: ast.AST) -> Iterator[ast.Set | ast.List | ast.Tuple | ast.Dict]:
    """Literal collections in an expression, not inside a subscript (``Literal["a", "b"]`` is a
    type) nor a lambda."""
    if isinstance(node, ast.Subscript | ast.Lambda):
        return
    if isinstance(node, ast.Set | ast.List | ast.Tuple | ast.Dict):
        yield node
    for child in ast.iter_child_nodes(node):
        yield from _collections(child)


def _is_dataclass(node: ast.ClassDef) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name == "dataclass":
            return True
    return False


def _assigned_name(statement: ast.Assign | ast.AnnAssign) -> str:
    target = statement.targets[0] if isinstance(statement, ast.Assign) else statement.target
    return target.id if isinstance(target, ast.Name) else ast.unparse(target)


def _called_at_import(tree: ast.Module) -> set[str]:
    """Names of the module's functions that its top-level statements call."""
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    called: set[str] = set()
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for node in ast.walk(statement):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                called.add(node.func.id)
    return called & defined


def import_time_functions(path: Path) -> set[str]:
    return _called_at_import(ast.parse(path.read_text()))


def _function_mutations(function: ast.FunctionDef) -> Iterator[tuple[ast.AST, str]]:
    """(node, kind) pairs of one function body: what each mutant changes."""
    for node in ast.walk(function):
        if isinstance(node, ast.Set | ast.List | ast.Tuple) and not isinstance(
            node.ctx if hasattr(node, "ctx") else None, ast.Store
        ):
            for position in range(len(node.elts)):
                yield node, f"drop:{position}"
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            yield node, "flip"
        if isinstance(node, ast.Call):
            for position in range(len(node.keywords)):
                yield node, f"keyword:{position}"


def _apply(twin: ast.AST, kind: str) -> str:
    if kind == "flip":
        assert isinstance(twin, ast.Constant)
        twin.value = not twin.value
        return f"{not twin.value} -> {twin.value}"
    action, _, position = kind.partition(":")
    if action == "drop":
        element = twin.elts.pop(int(position))  # type: ignore[attr-defined]
        return f"{ast.unparse(element)} removed"
    keyword = twin.keywords.pop(int(position))  # type: ignore[attr-defined]
    return f"keyword {keyword.arg}={ast.unparse(keyword.value)} dropped"


def mutants(path: Path, module: str) -> Iterator[Mutant]:
    text = path.read_text()
    tree = ast.parse(text)
    original = ast.unparse(tree)
    seen = {original}
    counters: dict[str, int] = {}

    def made(owner: str, what: str, mutated: ast.Module) -> Mutant | None:
        source = ast.unparse(mutated)
        if source in seen:
            return None
        seen.add(source)
        counters[owner] = counters.get(owner, 0) + 1
        return Mutant(f"{module}.{owner}__table_{counters[owner]}", what, source)

    for index, statement in enumerate(tree.body):
        if isinstance(statement, ast.Assign | ast.AnnAssign) and statement.value is not None:
            owner = _assigned_name(statement)
            if owner == "__all__":  # which names ``import *`` takes: no behaviour
                continue
            for collection in _collections(statement.value):
                size = len(collection.keys if isinstance(collection, ast.Dict) else collection.elts)
                for position in range(size):
                    mutated = copy.deepcopy(tree)
                    twin = _twin(mutated.body[index], collection, statement)
                    if isinstance(twin, ast.Dict):
                        key, value = twin.keys.pop(position), twin.values.pop(position)
                        element = f"{ast.unparse(key) if key else '**'}: {ast.unparse(value)}"
                    else:
                        element = ast.unparse(twin.elts.pop(position))
                    what = f"line {collection.lineno}: {element} removed from {owner}"
                    if mutant := made(owner, what, mutated):
                        yield mutant
        if isinstance(statement, ast.FunctionDef) and statement.name in _called_at_import(tree):
            for node, kind in _function_mutations(statement):
                mutated = copy.deepcopy(tree)
                change = _apply(_twin(mutated.body[index], node, statement), kind)
                what = f"line {node.lineno}: in {statement.name}, run at import: {change}"
                if mutant := made(statement.name, what, mutated):
                    yield mutant
        if isinstance(statement, ast.ClassDef) and _is_dataclass(statement):
            for position, field in enumerate(statement.body):
                if isinstance(field, ast.AnnAssign) and field.value is not None:
                    mutated = copy.deepcopy(tree)
                    twin_field = mutated.body[index].body[position]  # type: ignore[attr-defined]
                    before = ast.unparse(twin_field.value)
                    twin_field.value = ast.Constant(None)
                    name = _assigned_name(field)
                    what = f"line {field.lineno}: {statement.name}.{name} = {before} -> None"
                    if mutant := made(statement.name, what, mutated):
                        yield mutant


def _twin(copied: ast.stmt, node: ast.AST, statement: ast.stmt) -> ast.AST:
    """The node of the deep copy ``copied`` at ``node``'s place in ``statement``."""
    for original, twin in zip(ast.walk(statement), ast.walk(copied), strict=True):
        if original is node:
            return twin
    raise LookupError(node)


def _rebind(module: object, before: dict[str, object]) -> None:
    """Point every other loaded module's reference to a replaced object at its new one."""
    replaced = {
        id(old): getattr(module, name)
        for name, old in before.items()
        if getattr(module, name, old) is not old
    }
    for name, other in list(sys.modules.items()):
        if other is module or not name.startswith(("tsp_auth", "tests")):
            continue
        for attr, value in list(vars(other).items()):
            if id(value) in replaced:
                setattr(other, attr, replaced[id(value)])


def _reexec(module_name: str, source: str, path: Path) -> None:
    module = sys.modules[module_name]
    before = dict(vars(module))
    exec(compile(source, str(path), "exec"), vars(module))  # noqa: S102
    _rebind(module, before)


def _run_child(mutant: Mutant | None, module_name: str, path: Path, tests: list[str]) -> int:
    import pytest

    if mutant is not None:
        _reexec(module_name, mutant.source, path)
        # Modules of the package imported after it built their tables from the original
        # (``ACTIONS`` from ``AREA_REACHES``): they run again, on the mutant.
        package = module_name.rpartition(".")[0] + "."
        names = list(sys.modules)
        for later in names[names.index(module_name) + 1 :]:
            source = getattr(sys.modules[later], "__file__", None)
            if later.startswith(package) and source:
                _reexec(later, Path(source).read_text(), Path(source))
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    return int(pytest.main([*tests, "-x", "-q", "-p", "no:cacheprovider"]))


def run(mutant: Mutant | None, module_name: str, path: Path, tests: list[str]) -> str:
    pid = os.fork()
    if pid == 0:
        code = 3
        try:
            code = _run_child(mutant, module_name, path, tests)
        finally:
            os._exit(code)
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            return "survived" if code == 0 else "killed"
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "timeout"
        time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tests", nargs="+", required=True)
    parser.add_argument("--files", nargs="+", required=True)
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    importlib.import_module("tsp_auth.app")  # everything a test may reach, loaded once
    for plugin in entry_points(group="pytest11"):  # pytest's plugins too: 5 s a child less
        plugin.load()
    for file in args.files:
        path = ROOT / file
        module_name = file.removeprefix("src/").removesuffix(".py").replace("/", ".")
        importlib.import_module(module_name)
        if run(None, module_name, path, args.tests) != "survived":
            print(f"the tests fail unmutated: {args.tests}", file=sys.stderr)
            return 2
        for mutant in mutants(path, module_name):
            status = run(mutant, module_name, path, args.tests)
            print(f"\n### {mutant.name}: {status}\n{mutant.what}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
