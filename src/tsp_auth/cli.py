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
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar
from urllib.parse import urlsplit

from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from tsp_auth import __version__
from tsp_auth.config import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


class _Parser(argparse.ArgumentParser):
    """Every usage error is one line (``tsp-auth: …``), as `make run`'s checks read it."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n")


def port(value: str) -> int:
    """A TCP port to listen on: a whole number from 1 to 65535."""
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port (a number from 1 to 65535)")
    return int(value)


def metrics_port(value: str) -> int:
    """A port for a metrics endpoint: 0 asks the system for any free one (tests, sidecars)."""
    return 0 if value == "0" else port(value)


def base_url(value: str) -> str:
    """An absolute http(s) URL whose port, if any, is a port."""
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 (raises for a port that is not a number or out of range)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} has no valid port") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"{value!r} is not an absolute http(s) URL")
    return value.rstrip("/")


def _database_unreachable(exc: Exception) -> NoReturn:
    """One line for a database we cannot reach or use, never a driver's traceback."""
    reason = (str(getattr(exc, "orig", None) or exc).splitlines() or [""])[0][:200]
    print(
        f"tsp-auth: cannot use the database ({type(exc).__name__}: {reason}); is it running "
        "and reachable? Check TSP_AUTH_DATABASE_URL",
        file=sys.stderr,
    )
    raise SystemExit(1)


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
    asyncio.run(_reachable(settings))
    app = create_app(settings)
    _tune_garbage_collector()
    with _worker_beside(args):
        serve(app, settings, host=args.host, port=args.port)


async def _reachable(settings: Settings) -> None:
    """Connect once before serving: a database that is down is one line, not a traceback
    from the server's start-up."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from tsp_auth.db import create_engine

    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (DBAPIError, OSError) as exc:
        _database_unreachable(exc)
    finally:
        await engine.dispose()


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
    try:
        upgrade_head(settings.database_url)
    except (DBAPIError, OSError) as exc:
        _database_unreachable(exc)
    print(f"migrated {settings.database_url.split('@')[-1]} to head")


def cmd_demo(args: argparse.Namespace) -> None:
    from tsp_auth.demo.load import load_demo, quickstart_path

    settings = _settings()
    try:
        quickstart = asyncio.run(load_demo(settings, base_url=args.base_url))
    except (DBAPIError, OSError) as exc:
        _database_unreachable(exc)
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


class _Defaults(argparse.ArgumentDefaultsHelpFormatter):
    """Says each option's default, except where there is none (unset, or a flag)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, False):
            return action.help
        return super()._get_help_string(action)


def _command(
    commands: Any, name: str, help: str, func: Callable[[argparse.Namespace], None]
) -> argparse.ArgumentParser:
    command: argparse.ArgumentParser = commands.add_parser(
        name,
        help=help,
        description=help[0].upper() + help[1:] + ".",
        formatter_class=_Defaults,
    )
    command.set_defaults(func=func)
    return command


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tsp-auth", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = _command(commands, "serve", "run the HTTP service", cmd_serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=port, default=8000, help="port to listen on")
    serve.add_argument("--with-worker", action="store_true", help="run `worker` beside it")
    serve.add_argument(
        "--worker-metrics-port",
        type=metrics_port,
        help="the worker's --metrics-port (none: not served)",
    )
    _command(commands, "migrate", "migrate the database to head", cmd_migrate)
    demo = _command(
        commands, "demo", "load demo data (idempotent) and print a quickstart", cmd_demo
    )
    demo.add_argument(
        "--base-url",
        type=base_url,
        default="http://127.0.0.1:8000",
        help="where the server runs: the demo services' return URLs and the printed links",
    )
    demo.add_argument(
        "--output",
        default=None,
        help="quickstart file (none: beside the SQLite database, var/demo.json for the"
        " quickstart's own)",
    )
    openapi = _command(commands, "openapi", "write the OpenAPI document", cmd_openapi)
    openapi.add_argument("--output", default="openapi/openapi.json", help="file to write")
    keys = _command(commands, "keys", "signing keys of the JWTs we issue", _keys_usage)
    key_commands = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    _command(
        key_commands,
        "rotate",
        "add a key; it signs after the propagation delay, earlier keys retire",
        cmd_keys_rotate,
    )
    _command(
        key_commands,
        "list",
        "list keys: kid, state, created, activates, retires (no key material)",
        cmd_keys_list,
    )
    worker = _command(
        commands,
        "worker",
        "deliver webhooks (outbox), sweep expiries and clean up; runs until stopped",
        cmd_worker,
    )
    worker.add_argument("--once", action="store_true", help="sweep, deliver what is due, exit")
    worker.add_argument("--interval", type=float, default=5.0, help="seconds between drains")
    worker.add_argument("--sweep-every", type=float, default=60.0, help="seconds between sweeps")
    worker.add_argument(
        "--metrics-port",
        type=metrics_port,
        help="serve the worker's Prometheus metrics on this port (0: any free one)",
    )
    worker.add_argument("--metrics-host", default="127.0.0.1", help="address of that endpoint")
    _command(commands, "sweep", "expire lapsed grants and queue expiry reminders, once", cmd_sweep)
    _command(
        commands,
        "cleanup",
        "delete expired codes, tokens, ended sessions and old outbox rows, once",
        cmd_cleanup,
    )
    return parser


def _keys_usage(_: argparse.Namespace) -> None:
    """Unreachable: argparse requires an action after `keys`."""


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], None] = args.func
    func(args)
