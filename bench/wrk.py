"""Run wrk against one or more server processes and read its summary and the servers' CPU.

Several processes (the two- and three-process runs) get one wrk each, run at the same time
with the connections split between them; their figures are summed (requests, req/s, CPU) or
the worst taken (latency percentiles cannot be merged, so the slowest process's are kept).
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import proc

# wrk's own counters, exact, next to its human-readable summary (--latency adds the
# percentiles this harness reads). wrk prints no 99.9th percentile, so ``done`` reads it from
# the merged latency histogram (``latency:percentile``, in µs).
_LUA = """
wrk.method = {method}
wrk.body = {body}
wrk.headers["Content-Type"] = {content_type}
{headers}
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d\\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout,
    summary.duration, latency:percentile(99.9)))
end
"""
_RESULT = re.compile(r"^RESULT (\d+) (\d+) (\d+) (\d+)$", re.MULTILINE)
_PERCENTILE = re.compile(r"^\s+(\d+(?:\.\d+)?)%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
_TO_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: str = ""
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Summary:
    """What one wrk run printed."""

    requests: int
    errors: int  # non-2xx/3xx answers and socket errors
    seconds: float
    percentiles_ms: dict[float, float]


@dataclass(frozen=True)
class Target:
    """One server process: where wrk sends requests, and whose CPU is read."""

    base_url: str
    pid: int


@dataclass(frozen=True)
class Result:
    requests: int
    errors: int
    rps: float
    p50_ms: float
    p99_ms: float
    p999_ms: float  # the 99.9th percentile (the script's ``done``)
    cpu_us: float | None  # server CPU per request served, summed over the processes


def parse_summary(output: str) -> Summary:
    """wrk's ``--latency`` distribution and the RESULT line of the script's ``done``."""
    match = _RESULT.search(output)
    if match is None:
        raise ValueError(f"wrk printed no RESULT line:\n{output}")
    requests, errors, duration_us, p999_us = (int(g) for g in match.groups())
    percentiles = {float(p): float(v) * _TO_MS[unit] for p, v, unit in _PERCENTILE.findall(output)}
    percentiles[99.9] = p999_us / 1000
    if 50.0 not in percentiles or 99.0 not in percentiles:
        raise ValueError(f"wrk printed no latency distribution (--latency):\n{output}")
    return Summary(requests, errors, duration_us / 1e6, percentiles)


def split_connections(connections: int, processes: int) -> list[int]:
    """50 over 3 processes is 17, 17, 16: the total stays what a one-process row gets."""
    base, extra = divmod(connections, processes)
    return [base + (1 if i < extra else 0) for i in range(processes)]


def combine(summaries: Sequence[Summary], cpu_seconds: float) -> Result:
    requests = sum(s.requests for s in summaries)
    return Result(
        requests=requests,
        errors=sum(s.errors for s in summaries),
        rps=sum(s.requests / s.seconds for s in summaries),
        p50_ms=max(s.percentiles_ms[50.0] for s in summaries),
        p99_ms=max(s.percentiles_ms[99.0] for s in summaries),
        p999_ms=max(s.percentiles_ms[99.9] for s in summaries),
        cpu_us=proc.cpu_per_request_us(0.0, cpu_seconds, requests),
    )


def _lua(request: Request) -> str:
    headers = "\n".join(
        f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in request.headers
    )
    return _LUA.format(
        method=json.dumps(request.method),
        body=json.dumps(request.body),
        content_type=json.dumps(request.content_type),
        headers=headers,
    )


def _command(script: str, url: str, connections: int, seconds: int) -> list[str]:
    threads = min(2, connections)
    return [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        script,
        url,
    ]


def run(targets: Sequence[Target], request: Request, *, connections: int, seconds: int) -> Result:
    """One wrk per target, all at once; the targets' CPU read before the first starts and
    after the last ends."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_lua(request))
    pids, runs = [t.pid for t in targets], list[subprocess.Popen[str]]()
    try:
        before = proc.cpu_seconds(pids)
        for t, n in zip(targets, split_connections(connections, len(targets)), strict=True):
            command = _command(script.name, t.base_url + request.path, n, seconds)
            runs.append(
                subprocess.Popen(
                    command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
                )
            )
        outputs = [r.communicate(timeout=seconds + 60)[0] for r in runs]
        after = proc.cpu_seconds(pids)
    finally:
        for r in runs:  # none left behind when one failed
            if r.poll() is None:
                r.kill()
                r.wait()
        Path(script.name).unlink(missing_ok=True)
    for r, out in zip(runs, outputs, strict=True):
        if r.returncode != 0:
            raise RuntimeError(f"wrk exited with {r.returncode}:\n{out}")
    return combine([parse_summary(out) for out in outputs], after - before)
