"""`make bench`: tsp-auth's hot endpoints against a bare FastAPI endpoint, on PostgreSQL.

Absolute numbers drift on shared machines, so every figure is reported as a ratio to the
floor (a bare endpoint served the same way, measured in the same run, before and after).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import scenarios, servers, wrk
from bench.report import write_report

PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/{db}"


def _fresh_database(name: str) -> str:
    for sql in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True)
    return PG.format(db=name)


def _prepare(env: dict[str, str], base_url: str) -> None:
    tsp = str(servers.BIN / "tsp-auth")
    subprocess.run([tsp, "migrate"], env=env, check=True, cwd=servers.ROOT)
    subprocess.run(
        [tsp, "demo", "--base-url", base_url, "--output", "var/bench-demo.json"],
        env=env,
        check=True,
        cwd=servers.ROOT,
        stdout=subprocess.DEVNULL,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument(
        "--scale",
        type=int,
        nargs="*",
        default=[],
        help="also run decisions and introspection with N grants in the database",
    )
    parser.add_argument("--output", default="docs/benchmarks.md")
    args = parser.parse_args()
    logs = servers.ROOT / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    floor_port, app_port = servers.free_port(), servers.free_port()
    base_url = f"http://127.0.0.1:{app_port}"
    env = {
        **os.environ,
        "TSP_AUTH_DATABASE_URL": _fresh_database("tsp_auth_bench"),
        "TSP_AUTH_ISSUER": base_url,
        "TSP_AUTH_KEY_PROPAGATION_DELAY": "PT0S",
    }
    _prepare(env, base_url)
    measure = lambda url, request: wrk.run(
        url, request, connections=args.connections, seconds=args.seconds
    )
    rows: list[tuple[str, str, wrk.Result]] = []
    floor_url = f"http://127.0.0.1:{floor_port}"
    floor_request = wrk.Request("GET", "/floor")
    with (
        servers.floor(floor_port, logs / "floor.log"),
        servers.tsp_auth(app_port, env, logs / "tsp-auth.log"),
    ):
        rows.append(("floor", "before", measure(floor_url, floor_request)))
        for scenario in scenarios.build(base_url, env):
            print(f"measuring {scenario.name}…", file=sys.stderr)
            rows.append((scenario.name, "", measure(base_url, scenario.request)))
        for size in args.scale:
            print(f"growing to {size:,} grants…", file=sys.stderr)
            scenarios.grow_to(env["TSP_AUTH_DATABASE_URL"], size)
            label = f"{size:,} grants"
            # Machines drift: each scale point gets a floor measured right beside it.
            rows.append(("floor", label, measure(floor_url, floor_request)))
            for scenario in scenarios.build(base_url, env, only=("decisions", "introspection")):
                wrk.run(base_url, scenario.request, connections=args.connections, seconds=3)
                rows.append((scenario.name, label, measure(base_url, scenario.request)))
        rows.append(("floor", "after", measure(floor_url, floor_request)))
    report = write_report(Path(args.output), rows, args, datetime.now(UTC))
    print(report)


if __name__ == "__main__":
    main()
