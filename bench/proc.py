"""A server's own CPU time, read from /proc, so each row can say what one request cost it.

req/s falls when the machine is busy with something else; the CPU the server itself spent per
request holds up better, which is why issue 12 sets its targets on CPU ratios.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ProcStat:
    """The fields of /proc/<pid>/stat this harness reads (proc(5)), in clock ticks."""

    pid: int
    comm: str
    ppid: int
    utime: int
    stime: int
    cutime: int  # children that ended and were waited for
    cstime: int

    @property
    def ticks(self) -> int:
        return self.utime + self.stime + self.cutime + self.cstime


def parse_stat(text: str) -> ProcStat:
    """proc(5): ``pid (comm) state ppid …``; comm may hold spaces and parentheses, so the
    fields are counted from the last ``)``: state is field 3, utime 14 … cstime 17."""
    open_at, close_at = text.index("("), text.rindex(")")
    rest = text[close_at + 2 :].split()
    return ProcStat(
        pid=int(text[:open_at]),
        comm=text[open_at + 1 : close_at],
        ppid=int(rest[1]),
        utime=int(rest[11]),
        stime=int(rest[12]),
        cutime=int(rest[13]),
        cstime=int(rest[14]),
    )


def read_stat(pid: int) -> ProcStat | None:
    """None once the process is gone (it may end between listing /proc and reading it)."""
    try:
        return parse_stat((PROC / str(pid) / "stat").read_text())
    except (FileNotFoundError, ProcessLookupError):
        return None


def _all_stats() -> list[ProcStat]:
    stats = (read_stat(int(entry.name)) for entry in PROC.iterdir() if entry.name.isdigit())
    return [s for s in stats if s is not None]


def tree_ticks(pids: Iterable[int]) -> int:
    """CPU ticks of the processes and every live descendant (uvicorn with workers forks;
    those that already ended count through their parent's cutime/cstime)."""
    stats = _all_stats()
    children: dict[int, list[ProcStat]] = {}
    by_pid = {s.pid: s for s in stats}
    for stat in stats:
        children.setdefault(stat.ppid, []).append(stat)
    total, todo, seen = 0, [by_pid[p] for p in pids if p in by_pid], set[int]()
    while todo:
        stat = todo.pop()
        if stat.pid in seen:
            continue
        seen.add(stat.pid)
        total += stat.ticks
        todo.extend(children.get(stat.pid, []))
    return total


def cpu_seconds(pids: Iterable[int]) -> float:
    return tree_ticks(pids) / TICKS_PER_SECOND


def cpu_per_request_us(cpu_before: float, cpu_after: float, requests: int) -> float | None:
    """Server CPU (user + system) per request served, in µs; None when nothing was served."""
    if requests <= 0:
        return None
    return (cpu_after - cpu_before) * 1e6 / requests


def cpu_ratio(floor_us: float | None, row_us: float | None) -> float | None:
    """The floor's CPU per request over the row's: 50 % means one request of the row costs
    the server what two requests of the bare endpoint cost."""
    if floor_us is None or row_us is None or row_us <= 0:
        return None
    return floor_us / row_us
