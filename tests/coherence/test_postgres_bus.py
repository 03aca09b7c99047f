"""Cross-process invalidation in ONE process: two coherences, each on its own engine with its
own listener connection, talking through PostgreSQL's LISTEN/NOTIFY and the lease table as two
servers would (docs/coherence.md, "The protocol"). tests/multiprocess proves the same with real
processes; these run in-process, so a mutation of coherence/ reaches them."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta

import asyncpg
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.conftest import asgi_client, wire
from tests.factories import Factory
from tests.tsp_access.helpers import decide, make_world, session_token
from tsp_auth.app import create_app
from tsp_auth.coherence import bus, process, repository, tags
from tsp_auth.coherence.bus import listen_dsn
from tsp_auth.coherence.process import Coherence
from tsp_auth.coherence.publish import MAX_PAYLOAD, acknowledged, publish
from tsp_auth.coherence.runtime import Runtime
from tsp_auth.config import Settings
from tsp_auth.db import create_engine, create_sessionmaker

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
BOUND = 15.0  # how long a test waits for what must happen (a loaded machine), never a speed
ORDERS = "seller_center.orders"
G1, G2 = tags.grant("g1"), tags.grant("g2")


@dataclass
class Pair:
    a: Runtime  # the process that caches and must hear of changes
    b: Runtime  # the process that writes them


async def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + BOUND
    while not condition():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.01)


async def _serving(runtime: Runtime) -> Runtime:
    await runtime.start()
    await until(runtime.coherence.serving, "the lease was never granted")
    return runtime


@pytest.fixture
async def pair(settings: Settings, engine: AsyncEngine) -> AsyncIterator[Pair]:
    """A on an engine of its own; B on the tests' (migrated) engine, as committed_app uses."""
    other = create_engine(settings)
    a, b = Runtime(settings, other), Runtime(settings, engine)
    try:
        yield Pair(await _serving(a), await _serving(b))
    finally:
        await a.stop()
        await b.stop()
        await other.dispose()


@pytest.fixture
async def raw(settings: Settings, engine: AsyncEngine) -> AsyncIterator[asyncpg.Connection]:
    connection: asyncpg.Connection = await asyncpg.connect(listen_dsn(settings))
    try:
        yield connection
    finally:
        await connection.execute("DELETE FROM coherence_leases WHERE process_id LIKE 'test:%'")
        await connection.close()


def _cached(coherence: Coherence, *keys: str) -> None:
    for key in keys:
        assert coherence.cache.put(key, key, (tags.grant(key),), coherence.cache.epoch)


def _left(coherence: Coherence, *keys: str) -> list[str]:
    return [key for key in keys if coherence.cache.get(key) is not None]


async def _acks(raw: asyncpg.Connection, runtime: Runtime) -> int:
    """Acknowledgements on record from ``runtime`` (the writer's own listener acks too, and
    may do so after the writer went through: those wait for the tidying)."""
    count: int = await raw.fetchval(
        "SELECT count(*) FROM coherence_acks WHERE process_id = $1", runtime.coherence.incarnation
    )
    return count


async def test_a_cancel_through_one_process_is_refused_on_the_next_decision_of_the_other(
    pair: Pair, settings: Settings, committed_app: FastAPI
) -> None:
    reader = create_app(settings)
    wire(reader, pair.a.engine, create_sessionmaker(pair.a.engine))
    async with asgi_client(committed_app) as writer, asgi_client(reader) as client:
        factory = Factory(committed_app, writer)
        world = await make_world(factory)
        token = await session_token(factory, world.admin, world.seller.id)
        assert (await decide(client, token, ORDERS, world.seller.id))["allow"]
        assert len(pair.a.coherence.cache) > 0  # A answers from its cache from now on
        cancel = await writer.post(
            f"/v1/grants/{world.grant.id}/cancel", headers=await factory.headers(world.main)
        )
        assert cancel.status_code == 200, cancel.text
        answer = await decide(client, token, ORDERS, world.seller.id)
        assert (answer["allow"], answer["reason"]) == (False, "grant_not_active")


async def test_the_other_process_drops_what_a_commit_named_before_the_writer_answers(
    pair: Pair, raw: asyncpg.Connection
) -> None:
    _cached(pair.a.coherence, "g1", "g2")
    _cached(pair.b.coherence, "g1", "g2")
    async with AsyncSession(pair.b.engine) as session:
        await session.execute(text("SELECT 1"))
        await publish(session, G1)
        await session.commit()
        assert _left(pair.b.coherence, "g1", "g2") == ["g2"]  # the writer's own, at commit
        await acknowledged(session)
    assert _left(pair.a.coherence, "g1", "g2") == ["g2"]
    assert (
        await _acks(raw, pair.a) == 0
    )  # what the writer waited for is forgotten once it is through


async def test_the_writer_waits_until_a_live_lease_acknowledges(
    pair: Pair, raw: asyncpg.Connection
) -> None:
    """A third process that holds a lease and hears the notification, but is slow to ack."""
    slow = "test:slow:1"
    later = await repository.clock(raw) + timedelta(seconds=60)
    assert await repository.register(raw, slow, 60.0, slow, later)
    heard: list[str] = []
    await raw.add_listener(repository.CHANNEL, lambda *args: heard.append(args[3]))
    async with AsyncSession(pair.b.engine) as session:
        await session.execute(text("SELECT 1"))
        await publish(session, G1)
        await session.commit()
        writer = asyncio.ensure_future(acknowledged(session))
        await until(lambda: bool(heard), "the slow process never heard the notification")
        await asyncio.sleep(0.3)
        assert not writer.done()  # A has acknowledged; the slow process has not
        await repository.acknowledge(raw, slow, [json.loads(heard[0])["i"]])
        async with asyncio.timeout(BOUND):
            await writer


async def test_the_writer_does_not_wait_for_a_lapsed_lease(
    pair: Pair, raw: asyncpg.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    gone = "test:gone:1"
    later = await repository.clock(raw) + timedelta(seconds=60)
    assert await repository.register(raw, gone, 0.0, gone, later)  # lapses at once
    async with AsyncSession(pair.b.engine) as session:
        await session.execute(text("SELECT 1"))
        await publish(session, G1)
        await session.commit()
        with caplog.at_level(logging.ERROR, logger="tsp_auth.coherence.publish"):
            await acknowledged(session)
    assert "acknowledgements missing" not in caplog.text


async def test_a_notification_too_large_for_postgresql_drops_everything_elsewhere(
    pair: Pair,
) -> None:
    _cached(pair.a.coherence, "g1", "unrelated")
    many = [tags.session(f"{i:040d}") for i in range(MAX_PAYLOAD // 40)]
    async with AsyncSession(pair.b.engine) as session:
        await session.execute(text("SELECT 1"))
        await publish(session, G1, *many)
        await session.commit()
        await acknowledged(session)
    assert _left(pair.a.coherence, "g1", "unrelated") == []


async def test_an_unreadable_notification_empties_the_cache(
    pair: Pair, raw: asyncpg.Connection
) -> None:
    for payload in ("not json", json.dumps({"t": [G1]}), json.dumps({"i": "x", "t": 5})):
        _cached(pair.a.coherence, "g1", "unrelated")
        await raw.execute("SELECT pg_notify($1, $2)", repository.CHANNEL, payload)
        await until(lambda: len(pair.a.coherence.cache) == 0, f"kept its cache on {payload!r}")
    assert await _acks(raw, pair.a) == 0  # nothing to acknowledge


def _lost_total() -> float:
    return REGISTRY.get_sample_value("tsp_auth_coherence_listener_lost_total") or 0.0


async def test_a_cut_listener_stops_serving_then_returns_with_an_empty_cache_and_a_new_lease(
    pair: Pair, raw: asyncpg.Connection
) -> None:
    coherence = pair.a.coherence
    first = coherence.incarnation
    _cached(coherence, "g1")
    lost = _lost_total()
    listener = pair.a.listener
    assert listener is not None
    pid = listener._connection.get_server_pid() if listener._connection else None
    assert pid is not None
    await raw.execute("SELECT pg_terminate_backend($1)", pid)
    await until(lambda: not coherence.serving(), "A kept serving without its listener")
    assert _left(coherence, "g1") == []
    assert _lost_total() == lost + 1
    await until(coherence.serving, "A never came back")
    assert coherence.incarnation not in (None, first)
    rows = await raw.fetch("SELECT process_id FROM coherence_leases")
    live = {row["process_id"] for row in rows}
    assert coherence.incarnation in live and first not in live


async def test_a_lease_is_renewed_while_the_process_runs(
    pair: Pair, raw: asyncpg.Connection
) -> None:
    me = pair.a.coherence.incarnation
    query = "SELECT expires_at FROM coherence_leases WHERE process_id = $1"
    first = await raw.fetchval(query, me)
    deadline = time.monotonic() + BOUND
    while await raw.fetchval(query, me) == first:  # renewed every third of a lease
        assert time.monotonic() < deadline, "the lease was never renewed"
        await asyncio.sleep(0.05)
    assert pair.a.coherence.serving() and pair.a.coherence.incarnation == me


async def test_a_cut_listener_retires_its_lease_at_once_not_when_it_lapses(
    pair: Pair, raw: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writers need not wait out the lease of an incarnation given up on: it is deleted
    before the listener even tries to reconnect (here, not for a long while)."""
    monkeypatch.setattr(bus, "RECONNECT_SECONDS", 3 * BOUND)
    coherence, listener = pair.a.coherence, pair.a.listener
    first = coherence.incarnation
    assert listener is not None and listener._connection is not None
    await raw.execute("SELECT pg_terminate_backend($1)", listener._connection.get_server_pid())
    query = "SELECT count(*) FROM coherence_leases WHERE process_id = $1"
    deadline = time.monotonic() + BOUND
    while await raw.fetchval(query, first):
        assert time.monotonic() < deadline, "the lease given up on was left to lapse"
        await asyncio.sleep(0.02)
    assert not coherence.serving() and coherence.incarnation == first  # not reconnected yet


async def test_a_writer_does_not_wait_for_its_own_lease(
    settings: Settings,
    engine: AsyncEngine,
    raw: asyncpg.Connection,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The writer dropped what it named at its own commit. Here its lease row is live and
    nothing acknowledges for it: waiting for it would run to the bound."""
    writer = Coherence(settings, shared=True)
    me = writer.new_incarnation()
    later = await repository.clock(raw) + timedelta(seconds=60)
    assert await repository.register(raw, me, 60.0, writer.process, later)
    process.register(engine, writer)
    try:
        async with AsyncSession(engine) as session:
            await session.execute(text("SELECT 1"))
            await publish(session, G1)
            await session.commit()
            with caplog.at_level(logging.ERROR, logger="tsp_auth.coherence.publish"):
                await acknowledged(session)
    finally:
        process.unregister(engine)
        await raw.execute("DELETE FROM coherence_leases WHERE process_id = $1", me)
    assert "acknowledgements missing" not in caplog.text


async def test_a_writer_stops_waiting_at_its_bound_for_a_lease_that_never_acknowledges(
    settings: Settings,
    engine: AsyncEngine,
    raw: asyncpg.Connection,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A process that renews its lease but never acknowledges must not hang every writer: the
    writer goes on after one lease plus a margin (its own lease here: the shortest allowed),
    and says so."""
    short = settings.model_copy(update={"coherence_lease_seconds": 0.5})
    writer = Coherence(short, shared=True)
    mute = "test:mute:1"
    later = await repository.clock(raw) + timedelta(seconds=60)
    assert await repository.register(raw, mute, 60.0, mute, later)
    process.register(engine, writer)
    try:
        async with AsyncSession(engine) as session:
            await session.execute(text("SELECT 1"))
            await publish(session, G1)
            await session.commit()
            with caplog.at_level(logging.ERROR, logger="tsp_auth.coherence.publish"):
                async with asyncio.timeout(BOUND):
                    await acknowledged(session)
    finally:
        process.unregister(engine)
    assert "1 acknowledgements missing past the bound" in caplog.text
