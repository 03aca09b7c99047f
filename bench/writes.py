"""In-process CPU per request of the write paths (docs/performance.md, "Writes").

``python -m bench.writes [--database NAME]`` migrates a fresh PostgreSQL database, builds one
world (a partner, a seller's TSP access grant, a first-party client) and drives the app
through a bare ASGI call (no HTTP client, no sockets), sequentially and with 50 requests in
flight. It reports this process's CPU time per request (``time.process_time``): PostgreSQL
runs in its own processes, so the figure is the server's own cost, the ASGI call's few
microseconds included. Run it against another source tree with ``PYTHONPATH=<tree>/src`` to
compare before and after on the same machine, minutes apart.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import subprocess
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from tests.factories import Factory
from tests.tsp_access.helpers import make_world, session_token

from bench.asgi import Headers, http_scope
from tsp_auth.app import create_app
from tsp_auth.audit.service import record_event_alone
from tsp_auth.config import Settings
from tsp_auth.db.migrations import upgrade_head
from tsp_auth.kit.audit_note import AuditNote
from tsp_auth.models.base import new_id

PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/{db}"


async def asgi(
    app: FastAPI,
    method: str,
    path: str,
    headers: Headers,
    body: bytes,
    out: list[bytes] | None = None,
) -> int:
    """One request straight into the ASGI app; its status (and its body into ``out``)."""
    scope = http_scope(method, path, headers)
    done = asyncio.Event()
    delivered = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        else:
            if out is not None:
                out.append(message.get("body", b""))
            if not message.get("more_body", False):
                done.set()

    await app(scope, receive, send)
    return status


async def cpu_per_call(call: Callable[[], Awaitable[None]], *, total: int, in_flight: int) -> float:
    """µs of this process's CPU per call, ``in_flight`` calls at a time, after a warm-up."""
    for _ in range(50):
        await call()
    gc.collect()
    return await batch_cpu(call, total, in_flight)


async def batch_cpu(call: Callable[[], Awaitable[None]], total: int, in_flight: int) -> float:
    """µs of this process's CPU per call over ``total`` calls, ``in_flight`` at a time."""

    async def worker(count: int) -> None:
        for _ in range(count):
            await call()

    started = time.process_time()
    await asyncio.gather(*(worker(total // in_flight) for _ in range(in_flight)))
    return (time.process_time() - started) / (total // in_flight * in_flight) * 1e6


def _fresh(name: str) -> str:
    for sql in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True)
    return PG.format(db=name)


async def _calls(app: FastAPI, factory: Factory) -> dict[str, Callable[[], Awaitable[None]]]:
    world = await make_world(factory)
    token = await session_token(factory, world.admin, world.seller.id)
    client, secret = await factory.oauth_client(client_type="first_party", scopes=["tsp.a"])
    basic = base64.b64encode(f"{client.id}:{secret}".encode()).decode()
    identity = (await factory.headers(world.admin))["Authorization"]
    json_type = (b"content-type", b"application/json")
    form_type = (b"content-type", b"application/x-www-form-urlencoded")
    decision = json.dumps(
        {"token": token, "action": "creator_im.send", "shop_id": world.seller.id}
    ).encode()
    login = json.dumps({"seller_id": world.seller.id}).encode()
    note = AuditNote(action="bench.event", actor_id=world.admin.id)

    def checked(method: str, path: str, headers: Headers, body: bytes) -> Callable[[], Any]:
        async def call() -> None:
            status = await asgi(app, method, path, headers, body)
            assert status == 200, (path, status)

        return call

    async def lone_event() -> None:
        await record_event_alone(app.state.sessionmaker, note)

    login_headers = [json_type, (b"authorization", identity.encode())]

    async def login_and_redeem() -> None:
        out: list[bytes] = []
        assert await asgi(app, "POST", "/v1/tsp-access/login", login_headers, login, out) == 200
        token = json.loads(b"".join(out))["login_token"]
        body = json.dumps({"login_token": token, "browser_profile": new_id("bp")}).encode()
        status = await asgi(app, "POST", "/v1/tsp-access/sessions", [json_type], body)
        assert status == 201, status

    return {
        "lone audit event (record_event_alone)": lone_event,
        "Creator IM decision (audited)": checked("POST", "/v1/decisions", [json_type], decision),
        "token (client_credentials)": checked(
            "POST",
            "/oauth/token",
            [form_type, (b"authorization", f"Basic {basic}".encode())],
            b"grant_type=client_credentials",
        ),
        "tsp-access login": checked(
            "POST",
            "/v1/tsp-access/login",
            [json_type, (b"authorization", identity.encode())],
            login,
        ),
        "tsp-access login + redemption": login_and_redeem,
    }


async def main(database: str, total: int) -> None:
    url = _fresh(database)
    settings = Settings(database_url=url, log_level="WARNING")
    await asyncio.to_thread(upgrade_head, url)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://bench") as http:
            calls = await _calls(app, Factory(app, http))
        for name, call in calls.items():
            alone = await cpu_per_call(call, total=total // 4, in_flight=1)
            loaded = await cpu_per_call(call, total=total, in_flight=50)
            print(f"| {name} | {alone:,.0f} | {loaded:,.0f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="tsp_auth_bench_writes")
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    asyncio.run(main(args.database, args.requests))
