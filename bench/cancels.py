"""Cancel latency on N healthy processes of one PostgreSQL (issue 24 item 6).

A cancel answers only once every other process holding a live lease has acknowledged its
invalidation (docs/coherence.md, step 7), so its latency is the cost of the write plus one
notification round to every process. For each process count the harness starts that many
``tsp-auth serve`` processes on one database (the main one included), waits until each holds
a lease, then sends cancels one at a time, round-robin over the processes, each of a grant of
its own, and times each from send to answer (the client's wall clock).

``python -m bench.cancels --processes 1 3 8 --cancels 100`` runs it alone on a fresh database
(a smoke run); ``python -m bench.run --cancels 1 3 8`` runs it inside ``make bench``.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from contextlib import AsyncExitStack, ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.factories import Factory
from tests.tsp_access.helpers import make_world

from bench import servers
from tsp_auth.app import create_app
from tsp_auth.config import Settings
from tsp_auth.db import create_engine, create_sessionmaker

PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/{db}"
_ACK_WAIT = re.compile(r"^tsp_auth_coherence_ack_wait_seconds_(sum|count) ([0-9.e+-]+)$", re.M)


@dataclass(frozen=True)
class CancelLatency:
    processes: int
    cancels: int  # answered 200
    errors: int  # any other answer
    p50_ms: float
    p99_ms: float
    max_ms: float
    ack_wait_ms: float | None  # the writers' mean wait for acknowledgements (their /metrics)


def percentile(sorted_ms: Sequence[float], fraction: float) -> float:
    """Nearest rank: the smallest value at or above ``fraction`` of the sample."""
    return sorted_ms[max(1, math.ceil(len(sorted_ms) * fraction)) - 1]


def ack_waits(metrics: str) -> tuple[float, float]:
    """Seconds waited for acknowledgements and the number of waits, from one /metrics body."""
    total, count = 0.0, 0.0
    for kind, value in _ACK_WAIT.findall(metrics):
        if kind == "sum":
            total += float(value)
        else:
            count += float(value)
    return total, count


async def _ack_waits(clients: Sequence[httpx.AsyncClient]) -> tuple[float, float]:
    """``ack_waits`` summed over the processes."""
    each = [ack_waits((await client.get("/metrics")).text) for client in clients]
    return sum(total for total, _ in each), sum(count for _, count in each)


async def _leases_live(engine: AsyncEngine, count: int) -> None:
    deadline = time.monotonic() + 60
    live = None
    while time.monotonic() < deadline:
        async with engine.connect() as connection:
            live = await connection.scalar(
                text("SELECT count(*) FROM coherence_leases WHERE expires_at > now()")
            )
        if live == count:
            return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"{count} live leases expected, {live} found")


async def _cancels(
    factory: Factory, clients: Sequence[httpx.AsyncClient], count: int
) -> tuple[list[float], int]:
    """``count`` cancels round-robin over the processes, after two per process that warm them
    up and are not counted; each counted one's ms, and the errors."""
    warm = 2 * len(clients)
    worlds = [await make_world(factory) for _ in range(warm + count)]
    headers = [await factory.headers(world.main) for world in worlds]
    took: list[float] = []
    errors = 0
    for i, (world, auth) in enumerate(zip(worlds, headers, strict=True)):
        client = clients[i % len(clients)]
        started = time.perf_counter()
        response = await client.post(f"/v1/grants/{world.grant.id}/cancel", headers=auth)
        elapsed = (time.perf_counter() - started) * 1000
        if i < warm:
            continue
        if response.status_code == 200:
            took.append(elapsed)
        else:
            errors += 1
    return sorted(took), errors


async def _measure_one(
    factory: Factory, engine: AsyncEngine, urls: Sequence[str], count: int
) -> CancelLatency:
    await _leases_live(engine, len(urls))
    async with AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(httpx.AsyncClient(base_url=url, timeout=30))
            for url in urls
        ]
        waited_before, waits_before = await _ack_waits(clients)
        took, errors = await _cancels(factory, clients, count)
        waited_after, waits_after = await _ack_waits(clients)
    waits = waits_after - waits_before
    return CancelLatency(
        processes=len(urls),
        cancels=len(took),
        errors=errors,
        p50_ms=percentile(took, 0.5) if took else float("nan"),
        p99_ms=percentile(took, 0.99) if took else float("nan"),
        max_ms=took[-1] if took else float("nan"),
        ack_wait_ms=(waited_after - waited_before) / waits * 1000 if waits else None,
    )


def measure(
    env: dict[str, str], main_url: str, counts: Sequence[int], cancels: int, logs: Path
) -> list[CancelLatency]:
    """Each process count in turn, the main server first, further processes started as their
    count comes up and all stopped at the end."""
    urls, rows = [main_url], []
    with ExitStack() as extra:
        for count in sorted(set(counts)):
            while len(urls) < count:
                port = servers.free_port()
                log = logs / f"tsp-auth-cancels-{len(urls) + 1}.log"
                extra.enter_context(servers.tsp_auth(port, env, log))
                urls.append(f"http://127.0.0.1:{port}")
            print(f"measuring cancels on {count} process(es)…", file=sys.stderr)
            rows.append(asyncio.run(_measure(env, urls[:count], cancels)))
    return rows


async def _measure(env: dict[str, str], urls: Sequence[str], cancels: int) -> CancelLatency:
    """Worlds are written by an app in this process that runs no lifespan: it holds no lease,
    so no cancel waits for it."""
    settings = Settings(database_url=env["TSP_AUTH_DATABASE_URL"], log_level="WARNING")
    engine = create_engine(settings)
    try:
        app = create_app(settings)
        app.state.sessionmaker = create_sessionmaker(engine)
        async with httpx.AsyncClient(base_url=urls[0], timeout=30) as identity:
            return await _measure_one(Factory(app, identity), engine, urls, cancels)
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 3, 8])
    parser.add_argument("--cancels", type=int, default=200, help="cancels per process count")
    parser.add_argument("--database", default="tsp_auth_bench_cancels", help="dropped, recreated")
    args = parser.parse_args()
    name = args.database
    for sql in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True)
    port = servers.free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "TSP_AUTH_DATABASE_URL": PG.format(db=args.database),
        "TSP_AUTH_ISSUER": url,
        "TSP_AUTH_KEY_PROPAGATION_DELAY": "PT0S",
        # The cancel latency mints one identity token per cancel, all from this address.
        "TSP_AUTH_RATE_LIMIT_PER_ADDRESS": "100000/minute",
    }
    logs = servers.ROOT / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    tsp = str(servers.BIN / "tsp-auth")
    subprocess.run([tsp, "migrate"], env=env, check=True, cwd=servers.ROOT)
    with servers.tsp_auth(port, env, logs / "tsp-auth-cancels-1.log"):
        rows = measure(env, url, args.processes, args.cancels, logs)
    print("\n".join(table(rows)))


def table(rows: Sequence[CancelLatency]) -> list[str]:
    """docs/benchmarks.md's "Cancel latency" section."""
    if not rows:
        return []
    out = [
        "",
        "## Cancel latency",
        "",
        "Healthy, idle processes on one database; cancels one at a time, round-robin over them,",
        'each timed from send to answer. "ack wait" is the part spent waiting for the other',
        "processes' acknowledgements (the servers' own histogram, mean). Target (issue 24): p99",
        "≤ 100 ms with 8 processes.",
        "",
        "| processes | cancels | errors | p50 ms | p99 ms | max ms | ack wait ms (mean) | |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        wait = "n/a" if row.ack_wait_ms is None else f"{row.ack_wait_ms:.1f}"
        verdict = ""
        if row.processes == 8:
            verdict = "met" if row.p99_ms <= 100 and not row.errors else "**not met**"
        out.append(
            f"| {row.processes} | {row.cancels} | {row.errors} | {row.p50_ms:.1f} "
            f"| {row.p99_ms:.1f} | {row.max_ms:.1f} | {wait} | {verdict} |"
        )
    return out


if __name__ == "__main__":
    main()
