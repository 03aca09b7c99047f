"""Run wrk against one endpoint and read its summary."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

_LUA = """
wrk.method = {method}
wrk.body = {body}
wrk.headers["Content-Type"] = {content_type}
{headers}
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %f %f %f\\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout,
    summary.duration, latency:percentile(50), latency:percentile(99), latency.mean))
end
"""


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: str = ""
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Result:
    requests: int
    errors: int
    rps: float
    p50_ms: float
    p99_ms: float


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


def run(base_url: str, request: Request, *, connections: int, seconds: int) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_lua(request))
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                script.name,
                base_url + request.path,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        ).stdout
    finally:
        Path(script.name).unlink(missing_ok=True)
    match = re.search(r"RESULT (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)", out)
    if match is None:
        raise RuntimeError(f"wrk printed no summary:\n{out}")
    requests, errors, duration_us = (int(match.group(i)) for i in (1, 2, 3))
    return Result(
        requests=requests,
        errors=errors,
        rps=requests / (duration_us / 1e6),
        p50_ms=float(match.group(4)) / 1000,
        p99_ms=float(match.group(5)) / 1000,
    )
