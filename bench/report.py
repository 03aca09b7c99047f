"""Write docs/benchmarks.md: every row beside the floor measured in the same run.

Two ratios per row: req/s over the floor's req/s, and the floor's server CPU per request over
the row's (the "CPU ratio"). Issue 12 sets its targets on the CPU ratio: it holds up better
than req/s when other work shares the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
from datetime import datetime
from pathlib import Path

from bench import verdicts
from bench.cancels import table
from bench.proc import cpu_ratio
from bench.rows import FLOOR, LIMIT, REFERENCES, TSP_AUTH, Report, Row, floor_of
from bench.wrk import Result

__all__ = ["FLOOR", "LIMIT", "TSP_AUTH", "Report", "Row", "floor_of", "write_report"]


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _us(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def _verdict(ratio: float | None, target: float | None) -> str:
    if target is None:
        return ""
    if ratio is None:
        return "not measured"
    return "met" if ratio >= target else "**not met**"


def _main_line(row: Row, limit: Result, floor: Result) -> str:
    cells = [row.server, row.name, row.data]
    ratio = None
    if row.result is None:
        cells += [f"not run: {row.not_run}", "", "", "", "", "", "", ""]
    else:
        r = row.result
        ratio = cpu_ratio(limit.cpu_us, r.cpu_us)
        cells += [
            f"{r.rps:,.0f}",
            f"{r.p50_ms:.1f}",
            f"{r.p99_ms:.1f}",
            f"{r.p999_ms:.1f}",
            f"{r.errors}",
            _us(r.cpu_us),
            _pct(ratio),
            _pct(cpu_ratio(floor.cpu_us, r.cpu_us)),
        ]
    target = "" if row.target is None else f"≥ {row.target:.0%}"
    cells += [target, _verdict(ratio, row.target)]
    return "| " + " | ".join(cells) + " |"


def _main(rows: list[Row]) -> list[str]:
    limit, floor = floor_of(rows, LIMIT), floor_of(rows, FLOOR)
    return [
        "| server | path | data | req/s | p50 ms | p99 ms | p99.9 ms | errors | CPU µs/req "
        "| CPU ratio to the limit | CPU ratio to the floor | target (to the limit) | |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        *(_main_line(row, limit, floor) for row in rows),
    ]


def _cpu_ratio_of(row: Row, reference: Result) -> float | None:
    return None if row.result is None else cpu_ratio(reference.cpu_us, row.result.cpu_us)


def _peer_cell(peer: Row, stem: str, ratios: list[dict[tuple[str, str], float | None]]) -> str:
    """ "54 % / 56 % (opaque)" for the peer's row "token (client_credentials), opaque"."""
    values = [run.get((peer.server, peer.name)) for run in ratios]
    value = "not run" if peer.result is None else " / ".join(_pct(v) for v in values)
    kind = peer.name[len(stem) :].lstrip(", ")
    return f"{value} ({kind})" if kind else value


def _ratios(rows: list[Row], limit: Result) -> dict[tuple[str, str], float | None]:
    return {(row.server, row.name): _cpu_ratio_of(row, limit) for row in rows if row.data == ""}


def _spread(values: list[float | None]) -> str:
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return ""
    return f"{(max(known) - min(known)) * 100:.0f} pt"


def _side_by_side(report: Report) -> list[str]:
    """Each target path's CPU ratio to the bare-ASGI limit in every run, the spread, and the
    peers' on the same request (matched on the path before any ", opaque"/", JWT"). A target
    is met when every run meets it."""
    ratios = [_ratios(rows, floor_of(rows, LIMIT)) for rows in report.runs]
    peers = [r for r in report.main if r.server not in (*REFERENCES, TSP_AUTH)]
    runs = " / ".join(f"run {i}" for i in range(1, len(report.runs) + 1))
    out = [
        f"| path | tsp-auth CPU ratio to the limit ({runs}) | spread | target | "
        f"| peer, CPU ratio to the limit ({runs}) |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for row in report.main:
        if row.server != TSP_AUTH or row.target is None:
            continue
        mine = [run.get((TSP_AUTH, row.name)) for run in ratios]
        worst = None if None in mine else min(m for m in mine if m is not None)
        stem = row.name.split(",")[0]
        same = [p for p in peers if p.name.split(",")[0] == stem]
        by_peer = {p.server: [q for q in same if q.server == p.server] for p in same}
        peer = "; ".join(
            f"{server}: " + ", ".join(_peer_cell(p, stem, ratios) for p in rows)
            for server, rows in by_peer.items()
        )
        out.append(
            f"| {row.name} | {' / '.join(_pct(m) for m in mine)} | {_spread(mine)} "
            f"| ≥ {row.target:.0%} | {_verdict(worst, row.target)} | {peer or 'n/a'} |"
        )
    return [*out, ""]


def _processes(report: Report, floor: Result) -> list[str]:
    """N processes on one database, wrk split across them: is a request as cheap as on one?"""
    measured = [(row.data, row.result) for row in report.processes if row.result is not None]
    if not measured:
        return []
    one = measured[0][1]
    out = [
        "",
        "## Decisions on more processes",
        "",
        "tsp-auth processes on the same database, one wrk per process at the same time with the",
        "50 connections split between them. req/s and CPU are summed over the processes, p99 is",
        'the slowest process\'s. "vs one process" compares CPU per request: 100 % means a',
        "request costs as little with N processes as with one (the cache keeps its speed as",
        "processes are added); req/s cannot grow past the machine's cores.",
        "",
        "| processes | req/s | p99 ms | errors | CPU µs/req | CPU ratio | CPU/req vs one process "
        "| req/s vs one process |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for data, r in measured:
        out.append(
            f"| {data} | {r.rps:,.0f} | {r.p99_ms:.1f} | {r.errors} | {_us(r.cpu_us)} "
            f"| {_pct(cpu_ratio(floor.cpu_us, r.cpu_us))} "
            f"| {_pct(cpu_ratio(one.cpu_us, r.cpu_us))} | {_pct(r.rps / one.rps)} |"
        )
    return out


def _scaling(report: Report) -> list[str]:
    """Each scale point against a floor measured beside it, then against the smallest point:
    the drift of a shared machine between points cancels out."""
    labels = dict.fromkeys(r.data for r in report.scaling if r.server == FLOOR and r.result)
    # Each point's floors (before and after it) pooled, as a run's are.
    floors = {label: floor_of([r for r in report.scaling if r.data == label]) for label in labels}
    points = [(r.name, r.data, r.result) for r in report.scaling if r.server != FLOOR and r.result]
    if not points:
        return []
    out = [
        "",
        "## Scaling",
        "",
        "Each point after a warm-up, between two floors measured right before and after it",
        "(pooled). \"kept\" is the point's ratio over the smallest point's; the target is ≥ 90 %",
        "of the CPU ratio kept.",
        "",
        "| path | grants | req/s | p99 ms | CPU µs/req | floor CPU µs/req | CPU ratio | kept (CPU) "
        "| req/s ratio | kept (req/s) | |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name in dict.fromkeys(name for name, _, _ in points):
        series = [(data, r, floors[data]) for n, data, r in points if n == name]
        first_cpu = cpu_ratio(series[0][2].cpu_us, series[0][1].cpu_us)
        first_rps = series[0][1].rps / series[0][2].rps
        for i, (data, r, f) in enumerate(series):
            cpu, rps = cpu_ratio(f.cpu_us, r.cpu_us), r.rps / f.rps
            kept_cpu = None if cpu is None or not first_cpu else cpu / first_cpu
            verdict = "" if i == 0 else _verdict(kept_cpu, 0.9)
            out.append(
                f"| {name} | {data} | {r.rps:,.0f} | {r.p99_ms:.1f} | {_us(r.cpu_us)} "
                f"| {_us(f.cpu_us)} | {_pct(cpu)} | {_pct(kept_cpu)} | {_pct(rps)} "
                f"| {_pct(rps / first_rps)} | {verdict} |"
            )
    return out


def _floors(rows: list[Row], server: str) -> str:
    pooled = floor_of(rows, server)
    each = [r.result for r in rows if r.server == server and r.result is not None]
    figures = ", ".join(f"{f.rps:,.0f} req/s at {_us(f.cpu_us)} µs" for f in each)
    return f"{_us(pooled.cpu_us)} µs ({figures}; before/after)"


def _header(report: Report, args: argparse.Namespace, at: datetime) -> list[str]:
    python = f"{platform.python_implementation()} {platform.python_version()}"
    each = [
        f"run {i}: the limit {_floors(rows, LIMIT)}, the floor {_floors(rows, FLOOR)}"
        for i, rows in enumerate(report.runs, 1)
    ]
    return [
        "# Benchmarks",
        "",
        f"Run {at:%Y-%m-%d %H:%M} UTC with `python -m bench.run`: one uvicorn worker per process,",
        f"PostgreSQL, wrk at {args.connections} connections for {args.seconds} s per row after "
        f"{args.warmup} s of warm-up, {len(report.runs)} run(s) of every row one after the other;",
        f"{platform.machine()}, {_cores()} cores, {python}.",
        "Server CPU per request of the bare-ASGI limit (no framework) and of the FastAPI floor,",
        "both served the same way and measured in each run: " + "; ".join(each) + ".",
        "Latency per path: [benchmarks.svg](benchmarks.svg) (p50, p99, p99.9).",
        "How to run it and what each column means: [below](#how-to-read-and-rerun).",
        "",
    ]


def _runs(report: Report) -> list[str]:
    out: list[str] = []
    for i, rows in enumerate(report.runs, 1):
        out += ["", f"## Run {i}", ""]
        out += _main(rows)
    return out


def _cores() -> int:
    return os.cpu_count() or 1


HOW_TO = """
## How to read and rerun

`make bench` (PostgreSQL on 127.0.0.1:5432, Debian's `wrk`; node and npm for the peers) runs
`python -m bench.run --runs 2 --scale 1000 1000000`; without `--scale`, one run takes about
five minutes. `--runs N` measures the references, every path and the peers N times one after
the other (a target is met when every run meets it; "spread" is the largest minus the smallest
CPU ratio), `--seconds`/`--duration N` sets each row's length, `--warmup N` the warm-up before
it, `--processes 1 2 3` the process counts of the decisions runs, `--no-peer` skips both peers,
`--cancels 1 3 8` the process counts of the cancel latency (`--cancels` alone skips it) and
`--cancel-count N` how many cancels each count times (200). `python -m bench.cancels
--processes 1 3 8 --cancels 100` measures the cancel latency alone, on a database of its own.
The latency plot (`--plot`, default `docs/benchmarks.svg`) shows each row's p50, p99 and
p99.9 on a log scale.

- **server**: `bare ASGI` is the limit for a Python HTTP service here: a bare ASGI callable
  with no framework (`bench/raw_floor.py`, from `shared/peers/raw_floor.py`) on the same
  uvicorn settings; `floor` is a bare FastAPI endpoint served the same way (uvicorn, one
  worker, no access log); both are measured before and after each run's paths, and pooled;
  `tsp-auth` is the server on a fresh PostgreSQL database with the demo data. The peers:
  panva's node oidc-provider 9.13.3 (`shared/peers/oidc-provider`, pinned) with the library's
  in-memory store: no database round trip, which favours it. Its client_credentials token is
  measured opaque (stored in memory) and as an ES256 JWT (not stored, like tsp-auth's). The
  Cerbos PDP 0.55.0 (`shared/peers/cerbos`, the Go binary of the npm package
  `@cerbos/cerbos-linux-x64`, installed under `var/peers/`) answers the same console decision
  with `POST /api/check/resources` (one check per request), the grant's state and roles passed
  in the request: it keeps no state and reads no database, which favours it. A peer that
  cannot be installed (no node or npm, no network) says "not run" and why.
- **req/s**: requests answered per second over the whole run; **p50 / p99 ms**: wrk's
  `--latency` percentiles; **p99.9 ms**: wrk's merged latency histogram read by the script's
  `done` (`latency:percentile(99.9)`): wrk prints no 99.9th. At 50 connections mean latency ≈
  50 ÷ req/s.
- **errors**: non-2xx/3xx answers and socket errors; a row with errors is not comparable.
- **CPU µs/req**: utime + stime of the server process and its children, from
  `/proc/<pid>/stat` before and after the wrk run, divided by the requests served.
  PostgreSQL's own CPU is not in it (it is no child of the server), nor is wrk's.
- **CPU ratio to the limit / to the floor**: the bare-ASGI limit's (the FastAPI floor's) CPU
  per request ÷ the row's. The targets (issue 24) are on the ratio to the limit; met / not met
  says which. **decisions batch (10 actions)**: one `POST /v1/decisions/batch` of ten checks
  for the same session; its check is its CPU per request against three single decisions'.
- **Issue 24: done when**: each check of the issue on each run's own figures.
- **Cancel latency**: N `tsp-auth serve` processes on the one database (the main one and
  N - 1 more), healthy and otherwise idle, each holding a coherence lease (the harness waits
  for N live leases). Cancels of distinct grants go one at a time, round-robin over the
  processes, after two per process of warm-up; **p50 / p99 / max ms** are their send-to-answer
  times at the client (nearest rank). A cancel answers only once every other process has
  acknowledged its invalidation (docs/coherence.md, step 7): **ack wait ms** is the mean of
  that part, from the servers' `tsp_auth_coherence_ack_wait_seconds` histogram. The target
  (issue 24) is p99 ≤ 100 ms with 8 processes. The grants are written by an app inside the
  harness that holds no lease, so no cancel waits for it.

The figures are this machine's on the day of the run; only the ratios compare across runs.
What they mean and what was done about them: [performance.md](performance.md).
"""


def write_report(path: Path, report: Report, args: argparse.Namespace, at: datetime) -> str:
    floor = floor_of(report.main)
    lines = [
        *_header(report, args, at),
        *_side_by_side(report),
        *verdicts.table(report.runs),
        *_runs(report),
        *_processes(report, floor),
        *_scaling(report),
        *table(report.cancels),
    ]
    text = "\n".join(lines) + "\n" + HOW_TO
    path.write_text(text)
    return text
