"""In-process CPU per introspection request, whole and by part (docs/performance.md).

``python -m bench.introspect [--database NAME]`` migrates a fresh PostgreSQL database, starts
the real app with its lifespan (so the coherent cache serves, as in production), mints a
``client_credentials`` access token for a confidential client and introspects it with that
client's Basic credentials, over and over. Beside the whole request it drives, in the same
turns, a bare FastAPI ``GET`` (the floor) and the parts below the route on their own: client
authentication, the rate-limit check, the form, ``introspect``. Stages take turns batch by batch and
each figure is the median of its batches (``time.process_time``, µs per call), as in
``bench/layers.py``. Run it against another tree with ``PYTHONPATH=<tree>/src`` to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import statistics
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from fastapi import Request
from httpx import ASGITransport, AsyncClient
from tests.factories import Factory

from bench.asgi import http_scope
from bench.floor_app import app as floor_app
from bench.layers import _quiet_logging
from bench.writes import _fresh, asgi, batch_cpu
from tsp_auth.app import create_app
from tsp_auth.config import Settings
from tsp_auth.db.migrations import upgrade_head
from tsp_auth.oauth.client_authentication import authenticate_client, presented_credentials
from tsp_auth.oauth.http import read_form
from tsp_auth.oauth.introspection import introspect
from tsp_auth.oauth.schemas import TokenLookupForm

BATCH = 500
FORM = (b"content-type", b"application/x-www-form-urlencoded")
Call = Callable[[], Awaitable[None]]


async def _stages(app: object, http: AsyncClient, factory: Factory) -> list[tuple[str, Call]]:
    client, secret = await factory.oauth_client(client_type="first_party", scopes=["tsp.a"])
    basic = "Basic " + base64.b64encode(f"{client.id}:{secret}".encode()).decode()
    minted = await http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": basic},
    )
    token = minted.json()["access_token"]
    body = urlencode({"token": token}).encode()
    headers = [FORM, (b"authorization", basic.encode())]
    state = app.state  # type: ignore[attr-defined]
    sessionmaker, keyring, settings, limits = (
        state.sessionmaker,
        state.keyring,
        state.settings,
        state.rate_limits,
    )

    async def floor() -> None:
        assert await asgi(floor_app, "GET", "/floor", [], b"") == 200

    async def whole() -> None:
        out: list[bytes] = []
        assert await asgi(app, "POST", "/oauth/introspect", headers, body, out) == 200  # type: ignore[arg-type]
        assert json.loads(b"".join(out))["active"] is True

    async def client_auth() -> None:
        presented = presented_credentials(basic, None, None)
        await authenticate_client(sessionmaker, presented, allow_public=False)

    async def rate_limit() -> None:
        await limits.check_client("introspection", client.id)

    scope = http_scope("POST", "/oauth/introspect", headers)

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def form() -> None:
        parsed = await read_form(Request(scope, receive), TokenLookupForm)
        assert parsed.token == token

    async def service() -> None:
        answer = await introspect(sessionmaker, keyring, settings, token, None)
        assert answer["active"] is True

    return [
        ("floor: bare FastAPI GET", floor),
        ("POST /oauth/introspect (whole request)", whole),
        ("client authentication (presented + authenticate_client)", client_auth),
        ("rate-limit check (check_client)", rate_limit),
        ("the form (read_form, its Request included)", form),
        ("introspect() (the access token's answer)", service),
    ]


async def measure(stages: list[tuple[str, Call]], batches: int) -> list[float]:
    """Median µs of CPU per call of each stage, the stages taking turns batch by batch."""
    times: list[list[float]] = [[] for _ in stages]
    for _, call in stages:
        for _ in range(200):
            await call()
    for _ in range(batches):
        for index, (_, call) in enumerate(stages):
            times[index].append(await batch_cpu(call, BATCH, in_flight=1))
    return [statistics.median(found) for found in times]


async def main(database: str, batches: int, only: int) -> None:
    url = _fresh(database)
    await asyncio.to_thread(upgrade_head, url)
    app = create_app(Settings(database_url=url, log_level="INFO"))
    async with app.router.lifespan_context(app):
        _quiet_logging()
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://bench") as http:
            stages = (await _stages(app, http, Factory(app, http)))[: only or None]
        gc.collect()
        gc.freeze()
        gc.set_threshold(20_000, 50, 100)
        figures = await measure(stages, batches)
    floor = figures[0]
    print("\n| stage | µs per call | to the floor |\n| --- | ---: | ---: |")
    for (name, _), micros in zip(stages, figures, strict=True):
        print(f"| {name} | {micros:.1f} | {micros / floor:.2f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="tsp_hintrospect_bench")
    parser.add_argument("--batches", type=int, default=15)
    parser.add_argument("--only", type=int, default=0, help="the first N stages (0: all)")
    args = parser.parse_args()
    asyncio.run(main(args.database, args.batches, args.only))
