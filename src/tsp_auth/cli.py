"""`tsp-auth`: serve, migrate, demo data, OpenAPI export, signing keys, worker, sweep, cleanup."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import sys
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import ValidationError

from tsp_auth.config import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        # Bad configuration stops start-up with the setting's name, not a traceback.
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "settings"
            name = f"TSP_AUTH_{where.upper()}" if err["loc"] else where
            print(f"configuration error: {name}: {err['msg']}", file=sys.stderr)
        raise SystemExit(2) from None


def cmd_serve(args: argparse.Namespace) -> None:
    from tsp_auth.app import create_app
    from tsp_auth.observability.logs import configure_logging
    from tsp_auth.server import serve

    settings = _settings()
    configure_logging(settings.log_level)
    app = create_app(settings)
    _tune_garbage_collector()
    with _worker_beside(args):
        serve(app, settings, host=args.host, port=args.port)


def _worker_beside(args: argparse.Namespace) -> contextlib.AbstractContextManager[object]:
    from tsp_auth.worker.process import worker_beside

    if not args.with_worker:
        return contextlib.nullcontext()
    return worker_beside(args.worker_metrics_port)


def _tune_garbage_collector() -> None:
    """Keep the collector off the long-lived heap (modules, classes, routes, ORM mappers).

    Every full collection scanned all of it, about an eighth of a decision's CPU (make
    bench). Frozen objects are never scanned, and young ones are collected less often.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)


def cmd_migrate(_: argparse.Namespace) -> None:
    from tsp_auth.db.migrations import upgrade_head

    settings = _settings()
    path = settings.sqlite_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    upgrade_head(settings.database_url)
    print(f"migrated {settings.database_url.split('@')[-1]} to head")


def cmd_demo(args: argparse.Namespace) -> None:
    from tsp_auth.demo.load import load_demo, quickstart_path

    settings = _settings()
    quickstart = asyncio.run(load_demo(settings, base_url=args.base_url))
    print(quickstart["text"])
    output = Path(args.output) if args.output else quickstart_path(settings)
    if output is None:
        print("(quickstart file not written: this database has no folder; use --output FILE)")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(quickstart, indent=2) + "\n")
    output.chmod(0o600)  # it holds the demo clients' secrets
    print(f"(quickstart file, with the demo secrets: {output})")


def cmd_openapi(args: argparse.Namespace) -> None:
    from tsp_auth.app import create_app

    schema = create_app(Settings()).openapi()
    Path(args.output).write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
    print(f"wrote {args.output}")


def cmd_keys_rotate(_: argparse.Namespace) -> None:
    from tsp_auth.keys.service import rotate

    settings = _settings()
    record = asyncio.run(_in_transaction(settings, lambda s, at: rotate(s, settings, at)))
    print(f"rotated: key {record.kid} is published now and signs from {_when(record.activates_at)}")
    print("earlier keys stay published until every token they signed has expired")


def cmd_keys_list(_: argparse.Namespace) -> None:
    from tsp_auth.keys.service import list_keys

    keys = asyncio.run(_in_transaction(_settings(), list_keys))
    print(f"{'kid':<44} {'state':<9} {'created':<25} {'activates':<25} retires")
    for key in keys:
        print(
            f"{key.kid:<44} {key.state:<9} {_when(key.created_at):<25} "
            f"{_when(key.activates_at):<25} {_when(key.retires_at)}"
        )
    if not keys:
        print("(no signing keys yet: the service creates one at start, or run `keys rotate`)")


async def _in_transaction(
    settings: Settings, work: Callable[[AsyncSession, datetime], Awaitable[T]]
) -> T:
    from sqlalchemy.exc import DBAPIError

    from tsp_auth.clock import now
    from tsp_auth.crypto import KeyDecryptionError
    from tsp_auth.db import create_engine, create_sessionmaker

    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            return await work(session, now())
    except (DBAPIError, OSError) as exc:
        print(f"database error ({type(exc).__name__}); is it up and migrated?", file=sys.stderr)
        raise SystemExit(1) from None
    except KeyDecryptionError as exc:
        print(f"TSP_AUTH_KEY_WRAPPING_KEY: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    finally:
        await engine.dispose()


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.isoformat(timespec="seconds")


def cmd_worker(args: argparse.Namespace) -> None:
    from tsp_auth.worker.process import WorkerOptions, run_command

    options = WorkerOptions(
        once=args.once,
        interval=args.interval,
        sweep_every=args.sweep_every,
        metrics_port=args.metrics_port,
        metrics_host=args.metrics_host,
    )
    _run_worker(lambda settings: run_command(settings, options))


def cmd_sweep(_: argparse.Namespace) -> None:
    from tsp_auth.worker.process import run_sweep

    _run_worker(run_sweep)


def cmd_cleanup(_: argparse.Namespace) -> None:
    from tsp_auth.worker.process import run_cleanup

    _run_worker(run_cleanup)


def _run_worker(work: Callable[[Settings], Coroutine[Any, Any, str]]) -> None:
    from sqlalchemy.exc import DBAPIError

    from tsp_auth.observability.logs import configure_logging

    settings = _settings()
    configure_logging(settings.log_level)
    try:
        summary = asyncio.run(work(settings))
    except (DBAPIError, OSError) as exc:
        print(f"database error ({type(exc).__name__}); is it up and migrated?", file=sys.stderr)
        raise SystemExit(1) from None
    if summary:
        print(summary)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tsp-auth", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--with-worker", action="store_true", help="run `worker` beside it")
    serve.add_argument("--worker-metrics-port", type=int, help="the worker's --metrics-port")
    serve.set_defaults(func=cmd_serve)
    commands.add_parser("migrate", help="migrate the database to head").set_defaults(
        func=cmd_migrate
    )
    demo = commands.add_parser("demo", help="load demo data (idempotent), print a quickstart")
    demo.add_argument("--base-url", default="http://127.0.0.1:8000")
    demo.add_argument(
        "--output",
        default=None,
        help="quickstart file (default: beside the SQLite database, var/demo.json for the"
        " quickstart's own)",
    )
    demo.set_defaults(func=cmd_demo)
    openapi = commands.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("--output", default="openapi/openapi.json")
    openapi.set_defaults(func=cmd_openapi)
    keys = commands.add_parser("keys", help="signing keys of the JWTs we issue")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    key_commands.add_parser(
        "rotate", help="add a key; it signs after the propagation delay, earlier keys retire"
    ).set_defaults(func=cmd_keys_rotate)
    key_commands.add_parser(
        "list", help="list keys: kid, state, created, activates, retires (no key material)"
    ).set_defaults(func=cmd_keys_list)
    worker = commands.add_parser(
        "worker", help="deliver webhooks (outbox) and sweep expiries; runs until stopped"
    )
    worker.add_argument("--once", action="store_true", help="sweep, deliver what is due, exit")
    worker.add_argument("--interval", type=float, default=5.0, help="seconds between drains")
    worker.add_argument("--sweep-every", type=float, default=60.0, help="seconds between sweeps")
    worker.add_argument(
        "--metrics-port", type=int, help="serve the worker's Prometheus metrics on this port"
    )
    worker.add_argument("--metrics-host", default="127.0.0.1", help="address of that endpoint")
    worker.set_defaults(func=cmd_worker)
    commands.add_parser(
        "sweep", help="expire lapsed grants and queue expiry reminders, once"
    ).set_defaults(func=cmd_sweep)
    commands.add_parser(
        "cleanup", help="delete expired codes, tokens, ended sessions and old outbox rows, once"
    ).set_defaults(func=cmd_cleanup)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], None] = args.func
    func(args)
