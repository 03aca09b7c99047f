#!/usr/bin/env python3
"""`make mutation`: mutation testing of the safety core, one target at a time (docs/testing.md).

    .venv/bin/python scripts/mutation/run.py                  # every target of targets.toml
    .venv/bin/python scripts/mutation/run.py policy coherence # only these
    .venv/bin/python scripts/mutation/run.py --changed 5      # CI guard: targets whose files
                                                              # changed in the last 5 commits
    --no-tables    skip the AST driver (module-level tables, dataclass defaults)
    --check        exit 1 when a target misses its goal (--changed: on any survivor at all)

Each target runs mutmut 3 in its own scratch copy (var/mutation/work/<target>/: src, tests and
a pyproject.toml with the target's [tool.mutmut]), so targets never share mutants or test
selections. mutmut runs only the tests that reach each mutated function, in forked children.
Then tables.py mutates what mutmut cannot (module-level tables, dataclass defaults).

Writes var/mutation/<target>.txt (counts, score, every survivor with its diff) and
var/mutation/summary.md (the table). A survivor docs/testing.md names (in backticks) is an
equivalent mutant kept on purpose and counts as killed; nothing else does.

SQLite only, unless MUTATION_DATABASE_URL is set: then the tests also run on that PostgreSQL
database (the forced races of tests/grants run only there).
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import guard
from tables import import_time_functions

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "var" / "mutation"
BIN = Path(sys.executable).parent
TARGETS = Path(__file__).with_name("targets.toml")
DOC = ROOT / "docs" / "testing.md"
KILLED = {"killed", "caught by type check", "timeout", "segfault"}
MUTANT_NAME = re.compile(r"`([\w.\u01c1]+__(?:mutmut|table)_\d+)`")


@dataclass(frozen=True)
class Target:
    name: str
    mutate: list[str]
    names: list[str]
    tests: list[str]
    tables: list[str]
    goal: float
    postgresql: bool = False  # also on MUTATION_DATABASE_URL, when set (one child at a time)
    # Its tests take one of several databases each (tests/coherence/conftest.py): one child
    # per URL of MUTATION_DATABASE_URL (space-separated).
    database_slots: bool = False

    def owns(self, mutant: str) -> bool:
        return any(fnmatch.fnmatchcase(mutant, pattern) for pattern in self.names)


@dataclass
class Outcome:
    statuses: dict[str, str] = field(default_factory=dict)  # mutant name -> status
    diffs: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def load_targets(path: Path = TARGETS) -> dict[str, Target]:
    table = tomllib.loads(path.read_text())
    return {name: Target(name=name, **spec) for name, spec in table.items()}


EQUIVALENT = "## Equivalent mutants kept on purpose"
ACCEPTED = "## Survivors accepted for now"


def _section(heading: str) -> str:
    """docs/testing.md's section under ``heading``, up to the next ``## `` heading."""
    text = DOC.read_text() if DOC.exists() else ""
    start = text.find(heading)
    if start < 0:
        return ""
    end = text.find("\n## ", start + len(heading))
    return text[start : end if end >= 0 else len(text)]


def equivalents() -> set[str]:
    """The mutants docs/testing.md names as equivalent (kept on purpose, with a reason): only
    these count as killed."""
    return set(MUTANT_NAME.findall(_section(EQUIVALENT)))


def accepted() -> set[str]:
    """Survivors docs/testing.md lists as known and not yet killed: they count against the
    score, but the CI guard does not fail on them (it fails on new ones)."""
    return set(MUTANT_NAME.findall(_section(ACCEPTED)))


def on_postgresql(target: Target) -> bool:
    return target.postgresql and bool(os.environ.get("MUTATION_DATABASE_URL"))


def env_for(target: Target, out: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TSP_AUTH_TEST_DATABASE_URL"}
    if on_postgresql(target):
        urls = os.environ["MUTATION_DATABASE_URL"].split()
        env["TSP_AUTH_TEST_DATABASE_URL"] = urls[0]
        if target.database_slots:
            env["TSP_AUTH_TEST_DATABASE_SLOTS"] = " ".join(urls)
        # One mutant at a time: a test session may start from the schema the last one
        # migrated, emptied (tests/coherence/conftest.py), not migrate afresh.
        env["TSP_AUTH_TEST_REUSE_SCHEMA"] = str(out / "work" / f"{target.name}-schema")
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def scratch(target: Target, tree: Path, out: Path) -> Path:
    """A fresh copy of ``tree``'s src, tests, migrations and pyproject.toml, with this
    target's mutmut settings."""
    work = out / "work" / target.name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "node_modules")
    for folder in ("src", "tests", "migrations"):
        shutil.copytree(tree / folder, work / folder, ignore=ignore)
    shutil.copy(tree / "alembic.ini", work / "alembic.ini")
    only = [f'"{p}"' for p in target.mutate]
    tests = [f'"{p}"' for p in target.tests]
    settings = (
        "\n[tool.mutmut]\n"
        'source_paths = ["src"]\n'
        f"only_mutate = [{', '.join(only)}]\n"
        f"pytest_add_cli_args_test_selection = [{', '.join(tests)}]\n"
        # A mutant that hangs a test fails it within 30 s, not at mutmut's own timeout.
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "--timeout", "30"]\n'
        'also_copy = ["migrations", "alembic.ini"]\n'
        "use_git_change_detection = false\n"
    )
    (work / "pyproject.toml").write_text((tree / "pyproject.toml").read_text() + settings)
    return work


def run_mutmut(target: Target, log: Path, tree: Path, *, rerun: bool = True) -> Outcome:
    work = log.parent / "work" / target.name
    started = time.monotonic()
    if rerun or not work.exists():
        _mutmut(target, log, scratch(target, tree, log.parent))
    outcome = Outcome(seconds=time.monotonic() - started)
    listing = subprocess.run(
        [str(BIN / "mutmut"), "results", "--all", "true"],
        cwd=work,
        env=env_for(target, log.parent),
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    at_import = _at_import(target)
    for line in listing.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name and target.owns(name) and name.split("__mutmut_")[0] not in at_import:
            outcome.statuses[name] = status
    unchecked = [name for name, status in outcome.statuses.items() if status == "not checked"]
    if not outcome.statuses and "nothing matches" in log.read_text():
        return outcome  # the guard's touched functions hold no mutant
    if not outcome.statuses or unchecked:
        raise SystemExit(f"{target.name}: mutmut did not check its mutants, see {log}")
    lost = [name for name, status in outcome.statuses.items() if status not in KILLED]
    outcome.diffs = _diffs(lost, work, target)
    return outcome


def _mutmut(target: Target, log: Path, work: Path) -> None:
    # Each child's test session uses a PostgreSQL database alone: one child per database.
    children = os.environ.get("MUTATION_JOBS", "2")
    if on_postgresql(target):
        urls = os.environ["MUTATION_DATABASE_URL"].split()
        children = str(len(urls)) if target.database_slots else "1"
    command = [str(BIN / "mutmut"), "run", "--max-children", children, *target.names]
    with log.open("w") as out:
        subprocess.run(
            command, cwd=work, env=env_for(target, log.parent), stdout=out, stderr=out, check=False
        )


# One process prints every diff (``mutmut show`` would start one per survivor).
_SHOW = """
import sys
from mutmut.mutation.diff_apply import find_mutant, get_diff_for_mutant
for name in sys.argv[1:]:
    print("\\0" + name)
    print(get_diff_for_mutant(name, path=find_mutant(name).path))
"""


def _diffs(names: list[str], work: Path, target: Target) -> dict[str, str]:
    if not names:
        return {}
    shown = subprocess.run(
        [sys.executable, "-c", _SHOW, *names],
        cwd=work,
        env=env_for(target, work.parent.parent),
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    diffs = {}
    for block in shown.split("\0")[1:]:
        name, _, diff = block.partition("\n")
        diffs[name] = diff
    return diffs


def _at_import(target: Target) -> set[str]:
    """mutmut names (``module.x_function``) of functions run while their module is imported:
    mutmut cannot switch their mutants on, so tables.py mutates them instead."""
    names = set()
    for file in target.tables:
        path = ROOT / file
        if path.exists():
            module = str(path.relative_to(ROOT / "src").with_suffix("")).replace("/", ".")
            names |= {f"{module}.x_{f}" for f in import_time_functions(path)}
    return names


def run_tables(target: Target, log: Path, tree: Path, *, rerun: bool = True) -> Outcome:
    if not target.tables:
        return Outcome()
    started = time.monotonic()
    command = [sys.executable, str(Path(__file__).with_name("tables.py")), "--tests"]
    command += [*target.tests, "--files", *target.tables]
    env = env_for(target, log.parent) | {"PYTHONPATH": f"{tree / 'src'}{os.pathsep}{tree}"}
    if rerun or not log.exists():
        with log.open("w") as out:  # written as it goes: tail it to follow a long run
            subprocess.run(command, cwd=tree, env=env, stdout=out, stderr=out, check=False)
    printed = log.read_text()
    if "the tests fail unmutated" in printed:
        raise SystemExit(f"{target.name}: its tests fail before any mutation, see {log}")
    outcome = Outcome(seconds=time.monotonic() - started)
    for block in printed.split("\n### ")[1:]:
        head, _, diff = block.partition("\n")
        name, _, status = head.partition(": ")
        outcome.statuses[name] = status
        if status not in KILLED:
            outcome.diffs[name] = diff
    return outcome


@dataclass(frozen=True)
class Score:
    mutants: int
    killed: int
    equivalent: int
    survived: int
    no_tests: int
    seconds: float

    @property
    def percent(self) -> float:
        return 100.0 * (self.killed + self.equivalent) / self.mutants if self.mutants else 100.0


def score(outcome: Outcome, named: set[str]) -> Score:
    statuses = outcome.statuses.values()
    killed = sum(status in KILLED for status in statuses)
    lost = [n for n, s in outcome.statuses.items() if s not in KILLED]
    equivalent = sum(name in named for name in lost)
    no_tests = sum(outcome.statuses[n] == "no tests" and n not in named for n in lost)
    survived = len(lost) - equivalent - no_tests
    return Score(len(statuses), killed, equivalent, survived, no_tests, outcome.seconds)


def report(target: Target, outcome: Outcome, result: Score, named: set[str], out: Path) -> None:
    lines = [
        f"# {target.name}: {result.percent:.1f} % (goal {target.goal:g} %)",
        f"mutants {result.mutants}, killed {result.killed}, equivalent (docs/testing.md) "
        f"{result.equivalent}, survived {result.survived}, reached by no test "
        f"{result.no_tests}; {result.seconds:.0f} s",
        "",
    ]
    for name in sorted(outcome.diffs):
        mark = "equivalent" if name in named else outcome.statuses[name]
        lines += [f"## {name}: {mark}", outcome.diffs[name].rstrip(), ""]
    (out / f"{target.name}.txt").write_text("\n".join(lines) + "\n")


def summary(rows: list[tuple[Target, Score]], previous: Path, order: list[str]) -> str:
    """The table of this run's targets, keeping the rows of earlier runs for the others."""
    head = [
        "| target | mutants | killed | equivalent | survived | reached by no test | score "
        "| goal | time |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    body = [
        f"| `{t.name}` | {s.mutants} | {s.killed} | {s.equivalent} | {s.survived} "
        f"| {s.no_tests} | {s.percent:.1f} % | {t.goal:g} % | {s.seconds:.0f} s |"
        for t, s in rows
    ]
    ran = {t.name for t, _ in rows}
    if previous.exists():
        for line in previous.read_text().splitlines()[2:]:
            name = line.split("`")[1] if line.count("`") >= 2 else ""
            if name and name not in ran:
                body.append(line)
    rank = {name: i for i, name in enumerate(order)}
    body.sort(key=lambda line: rank.get(line.split("`")[1], len(rank)))
    return "\n".join(head + body) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*")
    parser.add_argument("--changed", type=int, metavar="N", help="the CI guard: since HEAD~N")
    parser.add_argument("--base", metavar="REF", help="the CI guard: since REF")
    parser.add_argument("--no-tables", action="store_true")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout to mutate")
    parser.add_argument("--targets-file", type=Path, default=TARGETS)
    parser.add_argument("--out", type=Path, default=OUT, help="where reports go")
    parser.add_argument(
        "--reuse", action="store_true", help="report the last run's results, do not run again"
    )
    args = parser.parse_args()
    targets = load_targets(args.targets_file)
    if args.targets:
        targets = {name: targets[name] for name in args.targets}
    base = args.base or (f"HEAD~{args.changed}" if args.changed else None)
    if base:
        targets = guard.changed_targets(targets, ROOT, base)
        if not targets:
            print(f"no safety-core function or table changed since {base}")
            return 0
    # The guard's reports and scratch copies stay apart from the full run's.
    out = (args.out / "guard" if base and args.out == OUT else args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    named = equivalents()
    rows: list[tuple[Target, Score]] = []
    unkilled: dict[str, list[str]] = {}  # target -> survivors and unreached, not equivalent
    for target in targets.values():
        print(f"{target.name}: mutmut on {', '.join(target.mutate)}", flush=True)
        log = out / f"{target.name}.log"
        outcome = run_mutmut(target, log, args.tree, rerun=not args.reuse)
        if not args.no_tables:
            print(f"{target.name}: tables in {', '.join(target.tables) or 'none'}", flush=True)
            log = out / f"{target.name}-tables.log"
            tables = run_tables(target, log, args.tree, rerun=not args.reuse)
            outcome.statuses |= tables.statuses
            outcome.diffs |= tables.diffs
            outcome.seconds += tables.seconds
        result = score(outcome, named)
        unkilled[target.name] = [
            n for n, status in outcome.statuses.items() if status not in KILLED and n not in named
        ]
        report(target, outcome, result, named, out)
        rows.append((target, result))
        print(f"{target.name}: {result.percent:.1f} % -> {out / target.name}.txt")
    table = summary(rows, out / "summary.md", list(load_targets(args.targets_file)))
    (out / "summary.md").write_text(table)
    print(table)
    if args.check:
        if base:
            known = accepted()
            failed = [name for name, lost in unkilled.items() if set(lost) - known]
        else:
            failed = [t.name for t, s in rows if s.percent < t.goal]
        if failed:
            print(f"mutation check failed: {', '.join(failed)} (see var/mutation/)")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
