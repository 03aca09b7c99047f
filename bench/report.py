"""Write docs/benchmarks.md: each endpoint as a ratio of the floor measured in the same run."""

from __future__ import annotations

import argparse
import platform
from datetime import datetime
from pathlib import Path

from bench.wrk import Result

TARGETS = {
    "decisions": 0.50,
    "introspection": 0.40,
    "token (client_credentials)": 0.25,
    "tsp-access login": 0.20,
    "jwks": 0.80,
}


def write_report(
    path: Path, rows: list[tuple[str, str, Result]], args: argparse.Namespace, at: datetime
) -> str:
    floors = [r.rps for name, label, r in rows if name == "floor" and label in ("before", "after")]
    floor = sum(floors) / len(floors)
    lines = [
        "# Benchmarks",
        "",
        f"Run {at:%Y-%m-%d %H:%M} UTC with `make bench`: one uvicorn worker, PostgreSQL, wrk with",
        f"{args.connections} connections for {args.seconds} s per endpoint, on "
        f"{platform.machine()} ({platform.python_implementation()} {platform.python_version()}).",
        "Ratios are against the floor (a bare FastAPI endpoint served the same way) measured in",
        f"the same run: {floor:,.0f} req/s on average "
        f"({', '.join(f'{f:,.0f}' for f in floors)} before/after). Absolute numbers drift on",
        "shared machines; the ratios are what to compare.",
        "",
        "| endpoint | data | req/s | p50 ms | p99 ms | errors | ratio to floor | target | |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, label, r in rows:
        if label.endswith("grants"):
            continue  # in the scaling table
        ratio = r.rps / floor
        target = TARGETS.get(name)
        verdict = "" if target is None else ("ok" if ratio >= target else "**below**")
        lines.append(
            f"| {name} | {label} | {r.rps:,.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.errors} "
            f"| {ratio:.0%} | {'' if target is None else f'{target:.0%}'} | {verdict} |"
        )
    lines += _scaling(rows)
    lines += [
        "",
        "What the figures mean, and what was done about them: [performance.md](performance.md).",
        "Rerun: `make bench` (PostgreSQL on 127.0.0.1:5432 and Debian's `wrk`).",
    ]
    text = "\n".join(lines) + "\n"
    path.write_text(text)
    return text


def _scaling(rows: list[tuple[str, str, Result]]) -> list[str]:
    """Each scale point as a ratio to the floor measured beside it, then against the
    smallest point: the drift of a shared machine between points cancels out."""
    floors = {label: r.rps for name, label, r in rows if name == "floor"}
    scaled = [(n, label, r) for n, label, r in rows if label.endswith("grants") and n != "floor"]
    if not scaled:
        return []
    out = [
        "",
        "## Scaling",
        "",
        "Each point after a short warm-up, beside a floor measured at that point.",
        "",
        "| endpoint | grants | req/s | floor req/s | ratio to floor | vs smallest | target |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for name in sorted({n for n, _, _ in scaled}):
        series = [
            (label, r.rps / floors[label], r, floors[label]) for n, label, r in scaled if n == name
        ]
        base = series[0][1]
        for label, ratio, r, floor in series:
            kept = ratio / base
            verdict = "" if label == series[0][0] else ("ok" if kept >= 0.9 else "**below 90 %**")
            out.append(
                f"| {name} | {label} | {r.rps:,.0f} | {floor:,.0f} | {ratio:.0%} | {kept:.0%} "
                f"| {verdict} |"
            )
    return out
