"""A process's coherence (coherence/process.py): when its cache may serve, its lease rows'
names, what losing the listener does, and how the hot paths find it from an engine."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator

import pytest
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from tsp_auth.coherence import process
from tsp_auth.coherence.bus import listen_dsn
from tsp_auth.coherence.process import Coherence, coherence_of, of_bind
from tsp_auth.config import Settings


def _coherence(*, shared: bool, entries: int = 10) -> Coherence:
    settings = Settings(database_url="sqlite+aiosqlite://", cache_max_entries=entries)
    return Coherence(settings, shared=shared)


def _lost_total() -> float:
    return REGISTRY.get_sample_value("tsp_auth_coherence_listener_lost_total") or 0.0


def test_one_process_serves_from_its_cache_at_once() -> None:
    assert _coherence(shared=False).serving()


def test_no_cache_never_serves() -> None:
    assert not _coherence(shared=False, entries=0).serving()


def test_a_shared_process_serves_only_while_its_lease_is_fresh() -> None:
    coherence = _coherence(shared=True)
    assert not coherence.serving()  # no lease granted yet
    coherence.lease.renewed(time.monotonic())
    assert coherence.serving()
    coherence.listener_lost()
    assert not coherence.serving()


def test_each_incarnation_is_a_new_row_under_the_process_prefix() -> None:
    coherence = _coherence(shared=True)
    assert coherence.incarnation is None
    assert coherence.process.startswith(f"{socket.gethostname()}:{os.getpid()}:")
    assert coherence.process.endswith(":")
    first, second = coherence.new_incarnation(), coherence.new_incarnation()
    assert (first, second) == (f"{coherence.process}1", f"{coherence.process}2")
    assert coherence.incarnation == second
    # Another process on the same host and pid (a restarted container) has its own prefix:
    # its registration must not retire this one's rows.
    assert not _coherence(shared=True).process.startswith(coherence.process)


def test_losing_the_listener_clears_the_cache_and_counts_once() -> None:
    coherence = _coherence(shared=True)
    coherence.lease.renewed(time.monotonic())
    assert coherence.cache.put("s1", "v", ("session:s1",), coherence.cache.epoch)
    lost = _lost_total()
    coherence.listener_lost()
    assert coherence.cache.get("s1") is None
    assert _lost_total() == lost + 1
    coherence.listener_lost()  # the reconnect loop reports it again: not a second loss
    assert _lost_total() == lost + 1


@pytest.fixture
def engine_pair() -> Iterator[tuple[AsyncEngine, AsyncEngine]]:
    pair = (create_async_engine("sqlite+aiosqlite://"), create_async_engine("sqlite+aiosqlite://"))
    yield pair
    for engine in pair:
        process.unregister(engine)


async def test_the_hot_paths_find_the_coherence_of_their_own_engine(
    engine_pair: tuple[AsyncEngine, AsyncEngine],
) -> None:
    mine, other = engine_pair
    coherence = _coherence(shared=False)
    process.register(mine, coherence)
    assert of_bind(mine) is coherence
    assert of_bind(mine.sync_engine) is coherence
    assert of_bind(other) is None and of_bind(None) is None
    async with mine.connect() as connection:
        assert of_bind(connection) is coherence
        assert of_bind(connection.sync_connection) is coherence
    sessionmaker = async_sessionmaker(bind=mine)
    assert coherence_of(sessionmaker) is coherence
    async with AsyncSession(bind=mine) as session:
        assert coherence_of(session) is coherence
    process.unregister(mine)
    assert of_bind(mine) is None
    process.unregister(mine)  # twice: a stop after a failed start
    await mine.dispose()
    await other.dispose()


def test_the_listener_connects_with_asyncpg_to_its_own_url_if_one_is_set() -> None:
    database = "postgresql+asyncpg://app:s3cret@db.internal:5432/tsp"
    direct = "postgresql+asyncpg://listen:0ther@db-direct.internal:5433/tsp"
    assert listen_dsn(Settings(database_url=database)) == (
        "postgresql://app:s3cret@db.internal:5432/tsp"
    )
    assert listen_dsn(Settings(database_url=database, coherence_listen_url=direct)) == (
        "postgresql://listen:0ther@db-direct.internal:5433/tsp"
    )


def test_a_cache_of_one_entry_still_serves() -> None:
    assert _coherence(shared=False, entries=1).serving()
