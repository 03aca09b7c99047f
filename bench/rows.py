"""What one measurement left: a row per server and path, a run's rows, and the floors pooled."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.cancels import CancelLatency
from bench.wrk import Result

# The two references every run measures before and after its paths (issue 24 item 1): the
# bare-ASGI limit (``raw_floor``, no framework) and the FastAPI floor (``floor_app``).
LIMIT, FLOOR, TSP_AUTH = "bare ASGI", "floor", "tsp-auth"
REFERENCES = (LIMIT, FLOOR)


@dataclass(frozen=True)
class Row:
    server: str  # LIMIT, FLOOR, TSP_AUTH or a peer's label
    name: str  # the path measured
    data: str = ""  # before/after, a process count, a grant count
    result: Result | None = None
    target: float | None = None  # minimum CPU ratio to the bare-ASGI limit (issue 24)
    not_run: str = ""  # why there are no figures


@dataclass
class Report:
    runs: list[list[Row]] = field(default_factory=list)  # each run's rows, its floors around them
    processes: list[Row] = field(default_factory=list)
    scaling: list[Row] = field(default_factory=list)  # each point's floor first
    cancels: list[CancelLatency] = field(default_factory=list)

    @property
    def main(self) -> list[Row]:
        """The first run's rows (where the process and scaling rows take their floor)."""
        return self.runs[0] if self.runs else []


def floor_of(rows: list[Row], server: str = FLOOR) -> Result:
    """One reference's figures pooled (before and after): req/s averaged, CPU per request
    weighted by requests, percentiles the worse of the two."""
    results = [r.result for r in rows if r.server == server and r.result is not None]
    requests = sum(r.requests for r in results)
    cpu = sum((r.cpu_us or 0.0) * r.requests for r in results)
    return Result(
        requests=requests,
        errors=sum(r.errors for r in results),
        rps=sum(r.rps for r in results) / len(results),
        p50_ms=max(r.p50_ms for r in results),
        p99_ms=max(r.p99_ms for r in results),
        p999_ms=max(r.p999_ms for r in results),
        cpu_us=cpu / requests if requests else None,
    )


def find(rows: list[Row], server: str, name: str) -> Result | None:
    """The figures of one row of a run (the first with no data label), None if not run."""
    for row in rows:
        if (row.server, row.name, row.data) == (server, name, ""):
            return row.result
    return None
