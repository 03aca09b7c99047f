"""Issue 24's "Done when", checked on each run's rows and printed beside the tables.

Every check compares figures of the same run: CPU ratios to that run's bare-ASGI limit, tails
against that run's FastAPI floor, tsp-auth against the peers measured between the same floors.
A check whose figures are missing (a peer not run) is "not measured", never met.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bench.proc import cpu_ratio
from bench.rows import FLOOR, LIMIT, TSP_AUTH, Row, find, floor_of
from bench.wrk import Result

# The path names the harness measures, shared with ``scenarios`` and the peers.
DECISIONS, BATCH = "decisions", "decisions batch (10 actions)"
INTROSPECTION, JWKS = "introspection", "jwks"
TOKEN, LOGIN = "token (client_credentials), JWT", "tsp-access login"
OIDC_PROVIDER = "node oidc-provider, in-memory store"
CERBOS = "Cerbos PDP 0.55.0, stateless (grant passed in)"

# Minimum CPU ratio to the bare-ASGI limit (the limit's CPU per request over the path's).
LIMIT_TARGETS = {DECISIONS: 0.40, JWKS: 0.65, INTROSPECTION: 0.25, TOKEN: 0.18, LOGIN: 0.12}
FLAT_TAIL = (DECISIONS, INTROSPECTION, JWKS)  # p99 ≤ 3 x p50 and ≤ the FastAPI floor's p99
TAIL_SPREAD = 3.0
# (tsp-auth path, peer, peer path, most tsp-auth may cost per request as a share of the peer's)
PEER_BOUNDS = (
    (INTROSPECTION, OIDC_PROVIDER, INTROSPECTION, 0.8),
    (JWKS, OIDC_PROVIDER, JWKS, 1.0),
    (DECISIONS, CERBOS, DECISIONS, 0.35),
)
BATCH_SINGLES = 3  # a batch of 10 costs at most 3 single decisions


@dataclass(frozen=True)
class Verdict:
    check: str
    measured: str  # the figures, as the table prints them
    met: bool | None  # None: not measured


def _cpu_check(check: str, mine: Result | None, theirs: Result | None, most: float) -> Verdict:
    """``mine`` costs at most ``most`` x ``theirs`` in server CPU per request."""
    if mine is None or theirs is None or mine.cpu_us is None or not theirs.cpu_us:
        return Verdict(check, "not measured", None)
    share = mine.cpu_us / theirs.cpu_us
    measured = f"{mine.cpu_us:,.0f} / {theirs.cpu_us:,.0f} µs = {share:.2f}x"
    return Verdict(check, measured, share <= most)


def _limit_checks(rows: list[Row]) -> list[Verdict]:
    limit = floor_of(rows, LIMIT)
    out = []
    for path, target in LIMIT_TARGETS.items():
        mine = find(rows, TSP_AUTH, path)
        ratio = None if mine is None else cpu_ratio(limit.cpu_us, mine.cpu_us)
        check = f"{path}: CPU ratio to the bare-ASGI limit ≥ {target:.0%}"
        if ratio is None:
            out.append(Verdict(check, "not measured", None))
        else:
            out.append(Verdict(check, f"{ratio:.1%}", ratio >= target))
    return out


def _tail_checks(rows: list[Row]) -> list[Verdict]:
    floor = floor_of(rows, FLOOR)
    out = []
    for path in FLAT_TAIL:
        mine = find(rows, TSP_AUTH, path)
        spread = f"{path}: p99 ≤ {TAIL_SPREAD:.0f} x p50"
        under = f"{path}: p99 ≤ the FastAPI floor's p99"
        if mine is None:
            out += [Verdict(spread, "not measured", None), Verdict(under, "not measured", None)]
            continue
        times = mine.p99_ms / mine.p50_ms if mine.p50_ms else float("inf")
        out.append(
            Verdict(
                spread,
                f"{mine.p99_ms:.1f} / {mine.p50_ms:.1f} ms = {times:.1f}x",
                mine.p99_ms <= TAIL_SPREAD * mine.p50_ms,
            )
        )
        out.append(
            Verdict(
                under, f"{mine.p99_ms:.1f} vs {floor.p99_ms:.1f} ms", mine.p99_ms <= floor.p99_ms
            )
        )
    return out


def _peer_checks(rows: list[Row]) -> list[Verdict]:
    return [
        _cpu_check(
            f"{path}: CPU ≤ {most:g} x {peer.split(',')[0]}'s",
            find(rows, TSP_AUTH, path),
            find(rows, peer, peer_path),
            most,
        )
        for path, peer, peer_path, most in PEER_BOUNDS
    ]


def _batch_check(rows: list[Row]) -> list[Verdict]:
    single = find(rows, TSP_AUTH, DECISIONS)
    three = None
    if single is not None and single.cpu_us is not None:
        three = Result(0, 0, 0.0, 0.0, 0.0, 0.0, single.cpu_us * BATCH_SINGLES)
    check = f"{BATCH}: CPU ≤ {BATCH_SINGLES} single decisions'"
    return [_cpu_check(check, find(rows, TSP_AUTH, BATCH), three, 1.0)]


CHECKS: tuple[Callable[[list[Row]], list[Verdict]], ...] = (
    _limit_checks,
    _tail_checks,
    _peer_checks,
    _batch_check,
)


def verdicts(rows: list[Row]) -> list[Verdict]:
    """Issue 24's checks on one run's rows, in the issue's order."""
    return [verdict for check in CHECKS for verdict in check(rows)]


def _word(met: bool | None) -> str:
    return "not measured" if met is None else "met" if met else "**not met**"


def table(runs: list[list[Row]]) -> list[str]:
    """docs/benchmarks.md's "Done when" section: each check in every run; met when every run
    meets it."""
    if not runs:
        return []
    per_run = [verdicts(rows) for rows in runs]
    heads = " | ".join(f"run {i}" for i in range(1, len(runs) + 1))
    out = [
        "",
        "## Issue 24: done when",
        "",
        "Each check on the figures of one run (ratios to that run's bare-ASGI limit, tails",
        "against its FastAPI floor, peers measured between the same floors); met when every",
        "run meets it.",
        "",
        f"| check | {heads} | |",
        "| --- | " + " | ".join("---:" for _ in runs) + " | --- |",
    ]
    for i, first in enumerate(per_run[0]):
        row = [run[i] for run in per_run]
        mets = [v.met for v in row]
        overall = None if None in mets else all(mets)
        cells = " | ".join(v.measured for v in row)
        out.append(f"| {first.check} | {cells} | {_word(overall)} |")
    return out


def printed(rows: list[Row]) -> str:
    """One run's verdicts as the harness prints them when the run ends."""
    return "\n".join(f"  {_word(v.met):>12}  {v.check}: {v.measured}" for v in verdicts(rows))
