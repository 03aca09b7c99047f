"""Publishing an invalidation in this process (coherence/publish.py), on either database: what
a transaction names is dropped from the cache when it commits, never when it rolls back."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tsp_auth.coherence import process, tags
from tsp_auth.coherence.process import Coherence
from tsp_auth.coherence.publish import acknowledged, publish
from tsp_auth.config import Settings

G1, G2 = tags.grant("g1"), tags.grant("g2")


@pytest.fixture
async def coherence(settings: Settings, engine: AsyncEngine) -> AsyncIterator[Coherence]:
    """This process's coherence on the tests' engine, with no listener: on PostgreSQL the
    writer then waits for no other process (none holds a lease)."""
    here = Coherence(settings, shared=False)
    process.register(engine, here)
    yield here
    process.unregister(engine)


def _cached(coherence: Coherence, *keys: str) -> None:
    for key in keys:
        assert coherence.cache.put(key, key, (tags.grant(key),), coherence.cache.epoch)


def _left(coherence: Coherence, *keys: str) -> list[str]:
    return [key for key in keys if coherence.cache.get(key) is not None]


async def test_a_commit_drops_what_it_named_and_nothing_else(
    coherence: Coherence, engine: AsyncEngine
) -> None:
    _cached(coherence, "g1", "g2", "g3")
    async with AsyncSession(engine) as session:
        await publish(session, G1)
        await publish(session, G2)
        assert _left(coherence, "g1", "g2") == ["g1", "g2"]  # not before the commit
        await session.commit()
        assert _left(coherence, "g1", "g2", "g3") == ["g3"]
        await acknowledged(session)  # nobody else to wait for: returns


async def test_a_rollback_drops_nothing_and_is_forgotten_by_the_next_commit(
    coherence: Coherence, engine: AsyncEngine
) -> None:
    _cached(coherence, "g1", "g2")
    async with AsyncSession(engine) as session:
        await session.execute(text("SELECT 1"))  # the change the invalidation is part of
        await publish(session, G1)
        await session.rollback()
        assert _left(coherence, "g1", "g2") == ["g1", "g2"]
        await publish(session, G2)
        await session.commit()
    assert _left(coherence, "g1", "g2") == ["g1"]


async def test_a_savepoint_rolled_back_keeps_what_the_transaction_named_before_it(
    coherence: Coherence, engine: AsyncEngine
) -> None:
    _cached(coherence, "g1", "g2")
    async with AsyncSession(engine) as session:
        await publish(session, G1)
        savepoint = await session.begin_nested()
        await session.execute(text("SELECT 1"))
        await savepoint.rollback()
        await session.commit()
    assert _left(coherence, "g1", "g2") == ["g2"]


async def test_publishing_no_tags_changes_nothing(
    coherence: Coherence, engine: AsyncEngine
) -> None:
    _cached(coherence, "g1")
    epoch = coherence.cache.epoch
    async with AsyncSession(engine) as session:
        await publish(session)
        await session.commit()
    assert (_left(coherence, "g1"), coherence.cache.epoch) == (["g1"], epoch)


async def test_a_commit_without_a_caching_process_is_harmless(engine: AsyncEngine) -> None:
    """The CLI and the worker write without a coherence of their own."""
    async with AsyncSession(engine) as session:
        await publish(session, G1)
        await session.commit()
        await acknowledged(session)
