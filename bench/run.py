"""`make bench`: tsp-auth's hot paths and two peers (node oidc-provider, the Cerbos PDP) beside
the limit of a Python HTTP service (a bare ASGI callable) and a bare FastAPI endpoint.

Absolute numbers drift on shared machines, so every figure is reported as a ratio to both
references (served the same way, measured in the same run, before and after), in server CPU
per request read from /proc; then issue 24's "done when" is checked on each run's figures.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bench import cancels, cerbos, peer, plot, scenarios, servers, verdicts, wrk
from bench.report import FLOOR, LIMIT, TSP_AUTH, Report, Row, write_report

PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/{db}"
LOGS = servers.ROOT / "var" / "bench"
FLOOR_REQUEST = wrk.Request("GET", "/floor")
Measure = Callable[[Sequence[wrk.Target], wrk.Request], wrk.Result]


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", "--duration", dest="seconds", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load before each row")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument(
        "--processes",
        type=int,
        nargs="*",
        default=[1, 2, 3],
        help="tsp-auth process counts for the decisions runs on one database",
    )
    parser.add_argument(
        "--cancels",
        type=int,
        nargs="*",
        default=[1, 3, 8],
        help="process counts for the cancel latency (none: skip it)",
    )
    parser.add_argument(
        "--cancel-count", type=int, default=200, help="cancels timed per process count"
    )
    parser.add_argument(
        "--runs", type=int, default=1, help="measure the floor, the paths and the peer N times"
    )
    parser.add_argument(
        "--no-peer", action="store_true", help="skip the peers (oidc-provider, Cerbos)"
    )
    parser.add_argument(
        "--scale",
        type=int,
        nargs="*",
        default=[],
        help="also run decisions and introspection with N grants in the database",
    )
    parser.add_argument("--database", default="tsp_auth_bench", help="dropped and recreated")
    parser.add_argument("--output", default="docs/benchmarks.md")
    parser.add_argument(
        "--plot", default="docs/benchmarks.svg", help="the latency plot (p50, p99, p99.9)"
    )
    return parser.parse_args()


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


def _measurer(args: argparse.Namespace) -> Measure:
    def measure(targets: Sequence[wrk.Target], request: wrk.Request) -> wrk.Result:
        if args.warmup > 0:
            wrk.run(targets, request, connections=args.connections, seconds=args.warmup)
        return wrk.run(targets, request, connections=args.connections, seconds=args.seconds)

    return measure


def _processes(
    args: argparse.Namespace, env: dict[str, str], main: wrk.Target, request: wrk.Request
) -> list[Row]:
    """Decisions on 1, 2, 3 processes of one database: the first is the main server, each
    further one is started when its count comes up (separate pids, so their CPU sums)."""
    measure, rows, targets = _measurer(args), [], [main]
    with ExitStack() as extra:
        for count in sorted(set(args.processes)):
            while len(targets) < count:
                port = servers.free_port()
                log = LOGS / f"tsp-auth-{len(targets) + 1}.log"
                pid = extra.enter_context(servers.tsp_auth(port, env, log))
                targets.append(wrk.Target(f"http://127.0.0.1:{port}", pid))
            print(f"measuring decisions on {count} process(es)…", file=sys.stderr)
            label = f"{count} process" + ("es" if count > 1 else "")
            rows.append(Row(TSP_AUTH, "decisions", label, measure(targets, request)))
    return rows


def _peer(args: argparse.Namespace) -> list[Row]:
    if args.no_peer:
        return [Row(peer.LABEL, path, not_run="--no-peer given") for path in peer.PATHS]
    measure, port = _measurer(args), servers.free_port()
    url = f"http://127.0.0.1:{port}"
    try:
        folder = peer.install(peer.find_source())
        with peer.serve(folder, port, LOGS / "oidc-provider.log") as pid:
            rows = []
            for scenario in peer.scenarios(url):
                print(f"measuring the peer's {scenario.name}…", file=sys.stderr)
                result = measure([wrk.Target(url, pid)], scenario.request)
                rows.append(Row(peer.LABEL, scenario.name, result=result))
            return rows
    except (peer.PeerUnavailable, RuntimeError, OSError, httpx.HTTPError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        print(f"peer not run: {reason}", file=sys.stderr)
        return [Row(peer.LABEL, path, not_run=reason) for path in peer.PATHS]


def _cerbos(args: argparse.Namespace) -> list[Row]:
    if args.no_peer:
        return [Row(cerbos.LABEL, cerbos.PATH, not_run="--no-peer given")]
    measure, port, grpc_port = _measurer(args), servers.free_port(), servers.free_port()
    url = f"http://127.0.0.1:{port}"
    try:
        binary = cerbos.install(cerbos.find_source())
        with cerbos.serve(binary, port, grpc_port, LOGS / "cerbos.log") as pid:
            cerbos.check_allows(url)
            print("measuring the Cerbos PDP…", file=sys.stderr)
            result = measure([wrk.Target(url, pid)], cerbos.request())
            return [Row(cerbos.LABEL, cerbos.PATH, result=result)]
    except (peer.PeerUnavailable, RuntimeError, OSError, httpx.HTTPError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        print(f"Cerbos not run: {reason}", file=sys.stderr)
        return [Row(cerbos.LABEL, cerbos.PATH, not_run=reason)]


def _scaling(
    args: argparse.Namespace, env: dict[str, str], app: wrk.Target, floor: wrk.Target
) -> list[Row]:
    measure, rows = _measurer(args), []
    for size in args.scale:
        print(f"growing to {size:,} grants…", file=sys.stderr)
        scenarios.grow_to(env["TSP_AUTH_DATABASE_URL"], size)
        label = f"{size:,}"
        # Machines drift: each scale point gets a floor measured right before and after it.
        rows.append(Row(FLOOR, "/floor", label, measure([floor], FLOOR_REQUEST)))
        only = ("decisions", "introspection")
        for scenario in scenarios.build(app.base_url, env, only=only):
            rows.append(Row(TSP_AUTH, scenario.name, label, measure([app], scenario.request)))
        rows.append(Row(FLOOR, "/floor", label, measure([floor], FLOOR_REQUEST)))
    return rows


def _one_run(
    args: argparse.Namespace,
    built: list[scenarios.Scenario],
    app: wrk.Target,
    references: dict[str, wrk.Target],
) -> list[Row]:
    """The references, every path, the peers, the references again: one run's rows."""
    measure = _measurer(args)
    rows = [
        Row(server, "/floor", "before", measure([target], FLOOR_REQUEST))
        for server, target in references.items()
    ]
    for scenario in built:
        print(f"measuring {scenario.name}…", file=sys.stderr)
        result = measure([app], scenario.request)
        rows.append(Row(TSP_AUTH, scenario.name, "", result, scenario.target))
    rows += _peer(args) + _cerbos(args)
    rows += [
        Row(server, "/floor", "after", measure([target], FLOOR_REQUEST))
        for server, target in references.items()
    ]
    print(verdicts.printed(rows), file=sys.stderr)
    return rows


def _measure_all(args: argparse.Namespace, env: dict[str, str], report: Report) -> None:
    floor_port, app_port = servers.free_port(), urlsplit(env["TSP_AUTH_ISSUER"]).port
    limit_port = servers.free_port()
    assert app_port is not None
    with (
        servers.limit(limit_port, LOGS / "limit.log") as limit_pid,
        servers.floor(floor_port, LOGS / "floor.log") as floor_pid,
        servers.tsp_auth(app_port, env, LOGS / "tsp-auth.log") as app_pid,
    ):
        floor = wrk.Target(f"http://127.0.0.1:{floor_port}", floor_pid)
        limit = wrk.Target(f"http://127.0.0.1:{limit_port}", limit_pid)
        app = wrk.Target(env["TSP_AUTH_ISSUER"], app_pid)
        built = scenarios.build(app.base_url, env)
        for run in range(1, args.runs + 1):
            print(f"run {run} of {args.runs}…", file=sys.stderr)
            report.runs.append(_one_run(args, built, app, {LIMIT: limit, FLOOR: floor}))
        decisions = next(s.request for s in built if s.name == "decisions")
        report.processes += _processes(args, env, app, decisions)
        report.scaling += _scaling(args, env, app, floor)
        if args.cancels:  # last: its grants do not weigh on the rows above
            report.cancels += cancels.measure(
                env, app.base_url, args.cancels, args.cancel_count, LOGS
            )


def main() -> None:
    args = _arguments()
    LOGS.mkdir(parents=True, exist_ok=True)
    app_port = servers.free_port()
    base_url = f"http://127.0.0.1:{app_port}"
    env = {
        **os.environ,
        "TSP_AUTH_DATABASE_URL": _fresh_database(args.database),
        "TSP_AUTH_ISSUER": base_url,
        "TSP_AUTH_KEY_PROPAGATION_DELAY": "PT0S",
        # The cancel latency mints one identity token per cancel, all from this address.
        "TSP_AUTH_RATE_LIMIT_PER_ADDRESS": "100000/minute",
    }
    _prepare(env, base_url)
    report = Report()
    _measure_all(args, env, report)
    at = datetime.now(UTC)
    print(write_report(Path(args.output), report, args, at))
    plot.write_plot(
        Path(args.plot),
        report,
        f"tsp-auth latency at {args.connections} connections, {at:%Y-%m-%d %H:%M} UTC",
    )


if __name__ == "__main__":
    main()
