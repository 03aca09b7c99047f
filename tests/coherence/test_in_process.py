"""One process that caches, on either database: reads come from its cache, and every change
that ends access drops what it names before its request answers (publish → after_commit)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from prometheus_client import REGISTRY
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.coherence.processes import lifespan_runtime
from tests.factories import Factory
from tests.oauth.helpers import introspect, partner_app, tokens
from tests.tsp_access.helpers import decide, make_world, session_token
from tsp_auth.clock import now
from tsp_auth.coherence.runtime import Runtime
from tsp_auth.config import Settings
from tsp_auth.models import ConsoleSession
from tsp_auth.tsp_access.tokens import hash_token

ORDERS = "seller_center.orders"


@pytest.fixture
async def caching(
    committed_app: FastAPI, settings: Settings, engine: AsyncEngine
) -> AsyncIterator[Runtime]:
    """What the lifespan starts: the app's engine gets its coherence (and, on PostgreSQL, a
    listener whose lease must be granted before the cache serves)."""
    async with lifespan_runtime(settings, engine) as runtime:
        yield runtime


def _session_hits() -> float:
    labels = {"kind": "session", "outcome": "hit"}
    return REGISTRY.get_sample_value("tsp_auth_cache_reads_total", labels) or 0.0


async def _end_behind_its_back(engine: AsyncEngine, token: str) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            update(ConsoleSession)
            .where(ConsoleSession.token_hash == hash_token(token))
            .values(ended_at=now(), end_reason="logout")
        )


async def test_decisions_come_from_the_cache_until_a_cancel_drops_them(
    caching: Runtime, committed_app: FastAPI, committed_client: AsyncClient, engine: AsyncEngine
) -> None:
    factory = Factory(committed_app, committed_client)
    world = await make_world(factory)
    cached = await session_token(factory, world.admin, world.seller.id)
    other = await session_token(factory, world.admin, world.seller.id)
    for token in (cached, other):
        assert (await decide(committed_client, token, ORDERS, world.seller.id))["allow"]
    # An unannounced change is not seen: the answer came from the cache.
    await _end_behind_its_back(engine, cached)
    hits = _session_hits()
    assert (await decide(committed_client, cached, ORDERS, world.seller.id))["allow"]
    assert _session_hits() == hits + 1

    cancel = await committed_client.post(
        f"/v1/grants/{world.grant.id}/cancel", headers=await factory.headers(world.main)
    )
    assert cancel.status_code == 200, cancel.text
    answer = await decide(committed_client, other, ORDERS, world.seller.id)
    assert (answer["allow"], answer["reason"]) == (False, "grant_not_active")
    answer = await decide(committed_client, cached, ORDERS, world.seller.id)
    assert (answer["allow"], answer["reason"]) == (False, "session_ended")


async def test_a_batch_from_the_cache_is_refused_once_a_cancel_returned(
    caching: Runtime, committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    """A batch reads the session as a single decision does (``live_session``): served from the
    cache, and dropped before the cancel answers (docs/coherence.md)."""
    factory = Factory(committed_app, committed_client)
    world = await make_world(factory)
    token = await session_token(factory, world.admin, world.seller.id)
    checks = [{"action": a, "shop_id": world.seller.id} for a in (ORDERS, "data_compass.live")]
    body = {"token": token, "checks": checks}

    async def reasons() -> list[tuple[bool, str]]:
        response = await committed_client.post("/v1/decisions/batch", json=body)
        assert response.status_code == 200, response.text
        return [(a["allow"], a["reason"]) for a in response.json()["decisions"]]

    assert await reasons() == [(True, "ok")] * 2
    hits = _session_hits()
    assert await reasons() == [(True, "ok")] * 2
    assert _session_hits() == hits + 1  # one session read for the whole batch, from the cache
    cancel = await committed_client.post(
        f"/v1/grants/{world.grant.id}/cancel", headers=await factory.headers(world.main)
    )
    assert cancel.status_code == 200, cancel.text
    assert await reasons() == [(False, "grant_not_active")] * 2


async def test_a_logout_is_refused_on_the_next_decision(
    caching: Runtime, committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    factory = Factory(committed_app, committed_client)
    world = await make_world(factory)
    token = await session_token(factory, world.admin, world.seller.id)
    assert (await decide(committed_client, token, ORDERS, world.seller.id))["allow"]
    logout = await committed_client.delete(
        "/v1/tsp-access/sessions/current", headers={"Authorization": f"Bearer {token}"}
    )
    assert logout.status_code == 204, logout.text
    answer = await decide(committed_client, token, ORDERS, world.seller.id)
    assert (answer["allow"], answer["reason"]) == (False, "session_ended")


async def test_a_revoked_access_token_introspects_inactive_at_once(
    caching: Runtime, committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    factory = Factory(committed_app, committed_client)
    app = await partner_app(factory)
    access = (await tokens(committed_client, app))["access_token"]
    assert (await introspect(committed_client, app, access))["active"] is True
    entries = len(caching.coherence.cache)
    assert entries >= 2  # the client and the token's state
    revoked = await committed_client.post(
        "/oauth/revoke", data={"token": access}, headers=app.auth()
    )
    assert revoked.status_code == 200, revoked.text
    assert await introspect(committed_client, app, access) == {"active": False}


async def test_a_stopping_process_ends_its_lease(
    settings: Settings, engine: AsyncEngine, backend: str
) -> None:
    """PostgreSQL: the lease goes with the process. SQLite (one process): there is no lease,
    and the cache serves at once, invalidated in process."""
    runtime = Runtime(settings, engine)
    if backend != "postgresql":
        await runtime.start()
        assert runtime.coherence.serving()
        await runtime.stop()
        async with engine.connect() as connection:
            leases = await connection.scalar(text("SELECT count(*) FROM coherence_leases"))
        assert leases == 0
        return
    await runtime.start()
    deadline = time.monotonic() + 10
    while not runtime.coherence.serving():
        assert time.monotonic() < deadline, "the lease was never granted"
        await asyncio.sleep(0.02)
    me = runtime.coherence.incarnation
    await runtime.stop()
    async with engine.connect() as connection:
        held = await connection.scalar(
            text("SELECT count(*) FROM coherence_leases WHERE process_id = :me"), {"me": me}
        )
    assert held == 0  # writers do not wait for it to lapse
