"""In-process CPU per request of ``POST /oauth/token`` (``client_credentials``) against a bare
FastAPI ``GET`` (docs/performance.md, "Session 5").

``python -m bench.token [--database NAME] [--batches 15] [--batch 200] [--in-flight 20]``
migrates a fresh PostgreSQL database, registers one first-party client and drives the real
app's ASGI callable (no server, no sockets) with the token request, HTTP Basic and
``scope=tsp.introspect``, ``in_flight`` requests at a time (so the audit events are group
committed as under load), in turns with the bare app's ``GET /health``, batch by batch. Each
figure is the median batch of this process's CPU time (``time.process_time``) per request;
PostgreSQL runs in its own processes. ``--profile FILE`` writes a cProfile of the batches of
one stage (``--profile-stage``, the stage's name) instead.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import cProfile
import gc
import statistics
from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from tests.factories import Factory

from bench.layers import _quiet_logging, health_app
from bench.writes import _fresh, asgi, batch_cpu
from tsp_auth.app import create_app
from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.db.migrations import upgrade_head
from tsp_auth.oauth.client_authentication import authenticate_client, presented_credentials
from tsp_auth.oauth.grant_types import (
    TokenContext,
    client_credentials,
)
from tsp_auth.oauth.schemas import TokenForm

FLOOR = "bare GET"
FORM = (b"content-type", b"application/x-www-form-urlencoded")
BODY = b"grant_type=client_credentials&scope=tsp.introspect"

Call = Callable[[], Awaitable[None]]


async def _stages(app: FastAPI) -> dict[str, Call]:
    """The calls measured: the route, the grant handler alone (given a session, as the route
    gave it one before ``grant_types.issue``), and the floor."""
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://b") as http:
        client, secret = await Factory(app, http).oauth_client(
            client_type="first_party", scopes=["tsp.introspect", "tsp.decisions"]
        )
    basic = "Basic " + base64.b64encode(f"{client.id}:{secret}".encode()).decode()
    headers = [FORM, (b"authorization", basic.encode())]
    state = app.state
    presented = presented_credentials(basic, None, None)
    authenticated = await authenticate_client(state.sessionmaker, presented, allow_public=True)
    form = TokenForm(grant_type="client_credentials", scope="tsp.introspect")
    floor = health_app()

    async def token() -> None:
        assert await asgi(app, "POST", "/oauth/token", headers, BODY) == 200

    async def handler() -> None:
        async with state.sessionmaker() as session:
            context = TokenContext(session, state.keyring, state.settings, now())
            await client_credentials(context, authenticated, form)

    async def bare() -> None:
        assert await asgi(floor, "GET", "/health", [], b"") == 200

    return {
        "token": token,
        "client_credentials (the handler alone)": handler,
        FLOOR: bare,
    }


async def _profile(call: Call, args: argparse.Namespace) -> None:
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.batches):
        await batch_cpu(call, args.batch, args.in_flight)
    profile.disable()
    profile.dump_stats(args.profile)


async def main(args: argparse.Namespace) -> None:
    url = _fresh(args.database)
    await asyncio.to_thread(upgrade_head, url)
    app = create_app(Settings(database_url=url, log_level="WARNING"))
    _quiet_logging()
    async with app.router.lifespan_context(app):
        stages = await _stages(app)
        for _ in range(100):
            for call in stages.values():
                await call()
        # As the service does after start-up (cli._tune_garbage_collector).
        gc.collect()
        gc.freeze()
        gc.set_threshold(20_000, 50, 100)
        if args.profile:
            await _profile(stages[args.profile_stage], args)
            return
        figures: dict[str, list[float]] = {name: [] for name in stages}
        for _ in range(args.batches):
            for name, call in stages.items():
                figures[name].append(await batch_cpu(call, args.batch, args.in_flight))
    floor = statistics.median(figures[FLOOR])
    print("| stage | µs of CPU per request | to the bare GET |\n| --- | ---: | ---: |")
    for name, batches in figures.items():
        micros = statistics.median(batches)
        print(f"| {name} | {micros:.1f} | {micros / floor:.2f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="tsp_auth_bench_token")
    parser.add_argument("--batches", type=int, default=15)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--in-flight", type=int, default=20)
    parser.add_argument("--profile", default="", help="write a cProfile here instead")
    parser.add_argument("--profile-stage", default="token")
    asyncio.run(main(parser.parse_args()))
