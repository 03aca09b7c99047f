"""The lease statements (coherence/repository.py) on a real PostgreSQL, as the listener runs
them on its own asyncpg connection: a lease is extended only when the database says so, and a
statement that arrives after its sender gave up on it changes nothing (issue 24 item 5,
docs/coherence.md "The protocol", steps 1, 2 and 8)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tsp_auth.coherence import repository
from tsp_auth.coherence.bus import listen_dsn
from tsp_auth.config import Settings

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
LEASE = 5.0


@pytest.fixture
def listener(raw: asyncpg.Connection) -> asyncpg.Connection:
    """The listener's kind of connection (conftest's ``raw``); the engine fixture has migrated
    the database."""
    return raw


def _process() -> str:
    return f"test:{secrets.token_hex(4)}:"


async def _later(listener: asyncpg.Connection) -> datetime:
    at: datetime = await repository.clock(listener)
    return at + timedelta(seconds=LEASE)


async def _too_late(listener: asyncpg.Connection) -> datetime:
    return await repository.clock(listener) - timedelta(milliseconds=1)


async def _expiry(listener: asyncpg.Connection, me: str) -> datetime | None:
    at: datetime | None = await listener.fetchval(
        "SELECT expires_at FROM coherence_leases WHERE process_id = $1", me
    )
    return at


async def test_a_registration_in_time_retires_the_earlier_incarnations_of_its_process_only(
    listener: asyncpg.Connection,
) -> None:
    mine, theirs = _process(), _process()
    for me in (f"{mine}1", f"{mine}2", f"{theirs}1"):
        assert await repository.register(listener, me, LEASE, me, await _later(listener))
    registered = await repository.register(
        listener, f"{mine}3", LEASE, mine, await _later(listener)
    )
    assert registered is not None
    assert await _expiry(listener, f"{mine}1") is None
    assert await _expiry(listener, f"{mine}2") is None
    assert await _expiry(listener, f"{mine}3") == registered + timedelta(seconds=LEASE)
    assert await _expiry(listener, f"{theirs}1") is not None


async def test_a_registration_too_late_inserts_nothing_and_retires_no_successor(
    listener: asyncpg.Connection,
) -> None:
    process = _process()
    assert await repository.register(
        listener, f"{process}2", LEASE, process, await _later(listener)
    )
    late = await repository.register(
        listener, f"{process}1", LEASE, process, await _too_late(listener)
    )
    assert late is None
    assert await _expiry(listener, f"{process}1") is None
    assert await _expiry(listener, f"{process}2") is not None


async def test_a_renewal_in_time_extends_the_lease_from_its_own_database_time(
    listener: asyncpg.Connection,
) -> None:
    me = f"{_process()}1"
    assert await repository.register(listener, me, LEASE, me, await _later(listener))
    renewed = await repository.renew(listener, me, LEASE, await _later(listener))
    assert renewed is not None
    assert await _expiry(listener, me) == renewed + timedelta(seconds=LEASE)


async def test_a_renewal_too_late_extends_nothing(listener: asyncpg.Connection) -> None:
    me = f"{_process()}1"
    assert await repository.register(listener, me, LEASE, me, await _later(listener))
    before = await _expiry(listener, me)
    assert await repository.renew(listener, me, LEASE, await _too_late(listener)) is None
    assert await _expiry(listener, me) == before


async def test_a_renewal_of_a_retired_incarnation_creates_no_row(
    listener: asyncpg.Connection,
) -> None:
    me = f"{_process()}1"
    assert await repository.renew(listener, me, LEASE, await _later(listener)) is None
    assert await _expiry(listener, me) is None


async def test_a_lapsed_lease_is_not_renewed(listener: asyncpg.Connection) -> None:
    me = f"{_process()}1"
    assert await repository.register(listener, me, LEASE, me, await _later(listener))
    await listener.execute(
        "UPDATE coherence_leases SET expires_at = now() - interval '1 second'"
        " WHERE process_id = $1",
        me,
    )
    before = await _expiry(listener, me)
    assert await repository.renew(listener, me, LEASE, await _later(listener)) is None
    assert await _expiry(listener, me) == before


async def test_a_renewal_tidies_what_no_writer_waits_for_any_more(
    listener: asyncpg.Connection,
) -> None:
    me, gone = f"{_process()}1", f"{_process()}1"
    assert await repository.register(listener, me, LEASE, me, await _later(listener))
    await listener.execute(
        "INSERT INTO coherence_leases VALUES ($1, now() - interval '3 hours',"
        " now() - interval '2 hours')",
        gone,
    )
    await listener.execute(
        "INSERT INTO coherence_acks VALUES ('test-old', $1, now() - interval '11 minutes'),"
        " ('test-new', $1, now())",
        me,
    )
    try:
        assert await repository.renew(listener, me, LEASE, await _later(listener))
        acks = await listener.fetch(
            "SELECT invalidation_id FROM coherence_acks WHERE process_id = $1", me
        )
        assert [ack["invalidation_id"] for ack in acks] == ["test-new"]
        assert await _expiry(listener, gone) is None
    finally:
        await listener.execute("DELETE FROM coherence_acks WHERE process_id = $1", me)


async def test_a_writer_waits_only_for_leases_registered_before_its_commit(
    listener: asyncpg.Connection, settings: Settings, engine: AsyncEngine
) -> None:
    """A lease registered while the writing transaction is open must acknowledge (it was
    listening before the commit); one registered after the commit need not (its cache was
    emptied after the commit), however soon after it and whatever the writer polls."""
    before, after = f"{_process()}1", f"{_process()}1"
    writer: asyncpg.Connection = await asyncpg.connect(listen_dsn(settings))
    try:
        async with writer.transaction():
            xid = await writer.fetchval("SELECT pg_current_xact_id()::text")
            assert await repository.register(
                listener, before, LEASE, before, await _later(listener)
            )
        assert await repository.register(listener, after, LEASE, after, await _later(listener))
    finally:
        await writer.close()
    async with engine.connect() as pooled:
        connection = await pooled.execution_options(isolation_level="AUTOCOMMIT")
        missing = await repository.unacknowledged(connection, ["inv-1"], [xid], None)
        await repository.acknowledge(listener, before, ["inv-1"])
        acknowledged = await repository.unacknowledged(connection, ["inv-1"], [xid], None)
        await repository.forget(connection, ["inv-1"])
    others = await listener.fetchval(
        "SELECT count(*) FROM coherence_leases WHERE expires_at > now()"
        " AND process_id NOT LIKE 'test:%'"
    )
    assert others == 0  # nothing else in this database holds a lease now
    assert (missing, acknowledged) == (1, 0)
