"""The writer's side of the protocol on PostgreSQL (coherence/publish.py, docs/coherence.md
"The protocol", steps 6 and 7): after its commit, a writer waits for every other live lease
registered before it to acknowledge, and for nothing else; never past its bound."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.coherence.processes import BOUND, G1, Pair, commit_naming, until, write
from tsp_auth.coherence import process, repository
from tsp_auth.coherence.process import Coherence
from tsp_auth.coherence.publish import acknowledged
from tsp_auth.config import Settings
from tsp_auth.db import create_engine

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


async def _lease(raw: asyncpg.Connection, me: str, seconds: float, process_id: str = "") -> None:
    """A lease held by no listener of ours: it renews nothing and acknowledges only when told."""
    later = await repository.clock(raw) + timedelta(seconds=60)
    assert await repository.register(raw, me, seconds, process_id or me, later)


async def _heard(raw: asyncpg.Connection) -> list[str]:
    """The invalidation ids ``raw`` hears from now on, as a listener would."""
    heard: list[str] = []

    def on_notification(connection: object, pid: int, channel: str, payload: str) -> None:
        heard.append(json.loads(payload)["i"])

    await raw.add_listener(repository.CHANNEL, on_notification)
    return heard


async def test_the_writer_waits_until_a_live_lease_acknowledges(
    pair: Pair, raw: asyncpg.Connection
) -> None:
    """A third process that holds a lease and hears the notification, but is slow to ack."""
    await _lease(raw, "test:slow:1", 60.0)
    heard = await _heard(raw)
    session = await commit_naming(pair.b.engine, G1)
    try:
        writer = asyncio.ensure_future(acknowledged(session))
        await until(lambda: bool(heard), "the slow process never heard the notification")
        await asyncio.sleep(0.3)
        assert not writer.done()  # A has acknowledged; the slow process has not
        await repository.acknowledge(raw, "test:slow:1", heard)
        async with asyncio.timeout(BOUND):
            await writer
    finally:
        await session.close()


async def test_the_writer_does_not_wait_for_a_lapsed_lease(
    pair: Pair, raw: asyncpg.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    await _lease(raw, "test:gone:1", 0.0)  # lapses at once
    with caplog.at_level(logging.ERROR, logger="tsp_auth.coherence.publish"):
        await write(pair.b.engine, G1)
    assert "acknowledgements missing" not in caplog.text


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
    await _lease(raw, me, 60.0, writer.process)
    process.register(engine, writer)
    try:
        with caplog.at_level(logging.ERROR, logger="tsp_auth.coherence.publish"):
            await write(engine, G1)
    finally:
        process.unregister(engine)
        await raw.execute("DELETE FROM coherence_leases WHERE process_id = $1", me)
    assert "acknowledgements missing" not in caplog.text


async def test_a_writer_stops_waiting_at_its_bound_for_a_lease_that_never_acknowledges(
    pair: Pair, settings: Settings, raw: asyncpg.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    """A process that renews its lease but never acknowledges must not hang every writer: the
    writer goes on after one lease plus a margin (its own lease here: the shortest allowed),
    says so, and forgets the acknowledgements it did get (A's)."""
    short = settings.model_copy(update={"coherence_lease_seconds": 0.5})
    await _lease(raw, "test:mute:1", 60.0)
    heard = await _heard(raw)
    writing = create_engine(short)
    process.register(writing, Coherence(short, shared=True))
    try:
        with caplog.at_level(logging.ERROR, logger="tsp_auth.coherence.publish"):
            async with asyncio.timeout(BOUND):
                await write(writing, G1)
    finally:
        process.unregister(writing)
        await writing.dispose()
    [record] = [r for r in caplog.records if r.name == "tsp_auth.coherence.publish"]
    assert record.levelno == logging.ERROR
    assert record.getMessage() == (
        f"invalidation {heard}: 1 acknowledgements missing past the bound"
    )
    acks = "SELECT count(*) FROM coherence_acks WHERE invalidation_id = $1"
    assert await raw.fetchval(acks, heard[0]) == 0
