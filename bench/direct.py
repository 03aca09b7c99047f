"""In-process CPU per request of the direct routes, served directly and through FastAPI.

``python -m bench.direct [--database NAME]`` builds the world of ``bench.writes`` and drives
each hot route through the app as the server calls it (``TspAuth``: the direct route behind
the request layer) and through FastAPI's own stack and router (``FastAPI.__call__`` on the
same app, where the same route runs the same code), 50 requests in flight, the two taking
turns round by round; the median of the rounds, in µs of this process's CPU per request
(docs/performance.md, "Session 5").
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import statistics
from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from starlette.types import Receive, Scope, Send
from tests.factories import Factory
from tests.tsp_access.helpers import make_world, session_token

from bench.asgi import Headers
from bench.writes import _fresh, asgi, cpu_per_call
from tsp_auth.app import create_app
from tsp_auth.config import Settings
from tsp_auth.db.migrations import upgrade_head

Call = Callable[[], Awaitable[None]]
Request = tuple[str, str, Headers, bytes]


async def _requests(factory: Factory) -> dict[str, Request]:
    world = await make_world(factory)
    token = await session_token(factory, world.admin, world.seller.id)
    client, secret = await factory.oauth_client(
        client_type="first_party", scopes=["tsp.introspect"]
    )
    basic = (b"authorization", b"Basic " + base64.b64encode(f"{client.id}:{secret}".encode()))
    identity = (b"authorization", (await factory.headers(world.admin))["Authorization"].encode())
    json_type = (b"content-type", b"application/json")
    form = (b"content-type", b"application/x-www-form-urlencoded")
    issued = await factory.client.post(
        "/oauth/token",
        content="grant_type=client_credentials&scope=tsp.introspect",
        headers={"content-type": form[1].decode(), "authorization": basic[1].decode()},
    )
    access = issued.json()["access_token"]
    decision = {"token": token, "action": "seller_center.orders", "shop_id": world.seller.id}
    return {
        "decisions": ("POST", "/v1/decisions", [json_type], json.dumps(decision).encode()),
        "introspection": ("POST", "/oauth/introspect", [form, basic], f"token={access}".encode()),
        "token (client_credentials)": (
            "POST",
            "/oauth/token",
            [form, basic],
            b"grant_type=client_credentials&scope=tsp.introspect",
        ),
        "tsp-access login": (
            "POST",
            "/v1/tsp-access/login",
            [json_type, identity],
            json.dumps({"seller_id": world.seller.id}).encode(),
        ),
        "jwks": ("GET", "/.well-known/jwks.json", [], b""),
    }


def _call(app: Callable[[Scope, Receive, Send], Awaitable[None]], request: Request) -> Call:
    method, path, headers, body = request

    async def call() -> None:
        status = await asgi(app, method, path, headers, body)  # type: ignore[arg-type]
        assert status == 200, (path, status)

    return call


async def main(database: str, total: int, rounds: int) -> None:
    url = _fresh(database)
    settings = Settings(database_url=url, log_level="WARNING")
    await asyncio.to_thread(upgrade_head, url)
    app = create_app(settings)

    async def through_fastapi(scope: Scope, receive: Receive, send: Send) -> None:
        await FastAPI.__call__(app, scope, receive, send)

    async with app.router.lifespan_context(app):
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://bench") as http:
            requests = await _requests(Factory(app, http))
        print("| route | through FastAPI | direct | saved |")
        print("| --- | ---: | ---: | ---: |")
        for name, request in requests.items():
            direct, routed = _call(app, request), _call(through_fastapi, request)
            figures: dict[str, list[float]] = {"direct": [], "routed": []}
            for _ in range(rounds):
                figures["routed"].append(await cpu_per_call(routed, total=total, in_flight=50))
                figures["direct"].append(await cpu_per_call(direct, total=total, in_flight=50))
            d, r = (statistics.median(figures[k]) for k in ("direct", "routed"))
            print(f"| {name} | {r:,.0f} | {d:,.0f} | {r - d:,.0f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="tsp_auth_bench_direct")
    parser.add_argument("--requests", type=int, default=1000, help="per round and entry")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.database, args.requests, args.rounds))
