"""The latency plot of a benchmark: p50, p99 and p99.9 per path, one bar each, on a log scale
(issue 24 item 3: a flat tail is read here). Plain SVG, written by hand: no plotting library."""

from __future__ import annotations

import math
from html import escape
from pathlib import Path

from bench.rows import REFERENCES, Report, Row, floor_of
from bench.wrk import Result

SERIES = (("p50", "#4c78a8"), ("p99", "#f58518"), ("p99.9", "#e45756"))
LABEL_WIDTH, PLOT_WIDTH, BAR, GAP, TOP = 330, 520, 6, 8, 40


def bars(report: Report) -> list[tuple[str, Result]]:
    """Each run's references (pooled before/after) and paths, in the report's order."""
    out: list[tuple[str, Result]] = []
    for i, rows in enumerate(report.runs, 1):
        run = f" (run {i})" if len(report.runs) > 1 else ""
        out += [(f"{server}{run}", floor_of(rows, server)) for server in REFERENCES]
        out += [(f"{_label(row)}{run}", row.result) for row in rows if _plotted(row)]
    return out


def _plotted(row: Row) -> bool:
    return row.server not in REFERENCES and row.data == "" and row.result is not None


def _label(row: Row) -> str:
    """The path, after the peer's short name (its label up to the first comma)."""
    return row.name if row.server == "tsp-auth" else f"{row.server.split(',')[0]}: {row.name}"


def _decades(results: list[Result]) -> tuple[int, int]:
    values = [v for r in results for v in (r.p50_ms, r.p99_ms, r.p999_ms) if v > 0]
    low = math.floor(math.log10(min(values, default=0.1)))
    high = math.ceil(math.log10(max(values, default=10.0)))
    return low, max(high, low + 1)


def x_of(value_ms: float, low: int, high: int) -> float:
    """Where ``value_ms`` falls on the log axis, in pixels from the axis's start."""
    clamped = max(value_ms, 10.0**low)
    return (math.log10(clamped) - low) / (high - low) * PLOT_WIDTH


def _axis(low: int, high: int, bottom: int) -> list[str]:
    out = []
    for decade in range(low, high + 1):
        x = LABEL_WIDTH + x_of(10.0**decade, low, high)
        out.append(f'<line x1="{x:.1f}" y1="{TOP - 5}" x2="{x:.1f}" y2="{bottom}" stroke="#ddd"/>')
        out.append(
            f'<text x="{x:.1f}" y="{bottom + 14}" text-anchor="middle">{10.0**decade:g}</text>'
        )
    return out


def _group(label: str, result: Result, y: int, low: int, high: int) -> list[str]:
    out = [
        f'<text x="{LABEL_WIDTH - 8}" y="{y + 2 * BAR}" text-anchor="end">{escape(label)}</text>'
    ]
    values = (result.p50_ms, result.p99_ms, result.p999_ms)
    for i, ((name, colour), value) in enumerate(zip(SERIES, values, strict=True)):
        width = x_of(value, low, high)
        out.append(
            f'<rect x="{LABEL_WIDTH}" y="{y + i * BAR}" width="{width:.1f}" height="{BAR - 1}" '
            f'fill="{colour}"><title>{escape(label)} {name} {value:.2f} ms</title></rect>'
        )
    return out


def svg(report: Report, title: str) -> str:
    drawn = bars(report)
    low, high = _decades([r for _, r in drawn])
    step = len(SERIES) * BAR + GAP
    bottom = TOP + step * len(drawn)
    width, height = LABEL_WIDTH + PLOT_WIDTH + 20, bottom + 50
    body = [f'<text x="10" y="18" font-weight="bold">{escape(title)}</text>']
    for i, (name, colour) in enumerate(SERIES):
        x = LABEL_WIDTH + i * 90
        body.append(f'<rect x="{x}" y="24" width="10" height="8" fill="{colour}"/>')
        body.append(f'<text x="{x + 14}" y="32">{name}</text>')
    body += _axis(low, high, bottom)
    for i, (label, result) in enumerate(drawn):
        body += _group(label, result, TOP + i * step, low, high)
    body.append(
        f'<text x="{LABEL_WIDTH + PLOT_WIDTH / 2}" y="{bottom + 32}" text-anchor="middle">'
        "latency, ms (log scale)</text>"
    )
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="11">'
    )
    return "\n".join([head, *body, "</svg>"]) + "\n"


def write_plot(path: Path, report: Report, title: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(svg(report, title))
