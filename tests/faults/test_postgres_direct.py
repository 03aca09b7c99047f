"""Direct statements on the asyncpg driver fail the way session statements do (db.direct).

A statement the server refuses for its values is the caller's 400 (SQLSTATE class 22), one
that outlives ``TSP_AUTH_DATABASE_TIMEOUT_SECONDS`` is a timeout (503), and neither leaves a
broken connection in the pool, or half a write: the next statement answers.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import pytest
from sqlalchemy import String, bindparam, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tests.faults.conftest import MakeApp
from tsp_auth.audit.service import record_event_alone
from tsp_auth.db.direct import DirectQuery
from tsp_auth.kit.audit_note import AuditNote
from tsp_auth.models.audit import AuditEvent

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


@dataclass(frozen=True, slots=True)
class Echo:
    echo: str


@dataclass(frozen=True, slots=True)
class Slept:
    slept: None


_ECHO = DirectQuery(Echo, select(bindparam("text", type_=String()).label("echo")))
_SLEEP = DirectQuery(Slept, select(func.pg_sleep(bindparam("seconds")).label("slept")))


async def _sessionmaker(make_app: MakeApp, **settings: object) -> async_sessionmaker[AsyncSession]:
    app, _ = await make_app(**settings)
    sessionmaker: async_sessionmaker[AsyncSession] = app.state.sessionmaker
    return sessionmaker


async def test_a_value_the_server_refuses_is_a_data_exception_and_the_pool_stays_good(
    make_app: MakeApp,
) -> None:
    sessionmaker = await _sessionmaker(make_app, database_pool_size=1)
    with pytest.raises(DBAPIError) as caught:
        await _ECHO.first(sessionmaker, {"text": "nul\x00byte"})
    assert caught.value.orig is not None
    assert str(getattr(caught.value.orig, "sqlstate", "")).startswith("22")
    # One pooled connection: it must still answer.
    assert await _ECHO.first(sessionmaker, {"text": "fine"}) == Echo("fine")


async def test_a_read_past_the_timeout_raises_and_the_pool_recovers(make_app: MakeApp) -> None:
    sessionmaker = await _sessionmaker(make_app, database_pool_size=1, database_timeout_seconds=1)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await _SLEEP.first(sessionmaker, {"seconds": 5})
    assert time.monotonic() - started < 3
    assert await _ECHO.first(sessionmaker, {"text": "after"}) == Echo("after")


async def test_an_insert_the_server_refuses_writes_nothing(
    make_app: MakeApp, engine: AsyncEngine
) -> None:
    sessionmaker = await _sessionmaker(make_app, database_pool_size=1)
    note = AuditNote(action="token.issued", actor_id="cli_\x00nul", actor_type="client")
    with pytest.raises(DBAPIError) as caught:
        await record_event_alone(sessionmaker, note)
    assert str(getattr(caught.value.orig, "sqlstate", "")).startswith("22")
    async with engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(AuditEvent)) == 0
    await record_event_alone(sessionmaker, AuditNote(action="token.issued", actor_id="cli_ok"))
    async with engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(AuditEvent)) == 1


async def test_a_read_cancelled_mid_statement_leaves_the_pool_answering(
    make_app: MakeApp,
) -> None:
    sessionmaker = await _sessionmaker(make_app, database_pool_size=1)
    reading = asyncio.create_task(_SLEEP.first(sessionmaker, {"seconds": 5}))
    await asyncio.sleep(0.3)
    reading.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reading
    # The one pooled connection was mid-statement when it was cancelled.
    assert await _ECHO.first(sessionmaker, {"text": "after"}) == Echo("after")


async def test_waiting_for_a_turn_is_bounded_like_waiting_for_the_pool(make_app: MakeApp) -> None:
    """Direct statements queue for the pool's connections in order (db.direct._turns); one
    that cannot get its turn within the pool timeout fails (503), as the pool would."""
    sessionmaker = await _sessionmaker(make_app, database_pool_size=1, database_timeout_seconds=1)
    finished: list[str] = []

    async def run(
        name: str, query: DirectQuery[Echo] | DirectQuery[Slept], params: dict[str, object]
    ) -> None:
        try:
            await query.first(sessionmaker, params)
        finally:
            finished.append(name)

    holder = asyncio.create_task(run("holder", _SLEEP, {"seconds": 5}))
    await asyncio.sleep(0.1)
    next_in_line = asyncio.create_task(run("next", _SLEEP, {"seconds": 5}))
    await asyncio.sleep(0.1)
    with pytest.raises(TimeoutError):
        await run("third", _ECHO, {"text": "never"})
    for task in (holder, next_in_line):
        with pytest.raises(TimeoutError):
            await task
    # The third gave up before the second had even finished its own (timed-out) statement.
    assert finished == ["holder", "third", "next"]
    assert await _ECHO.first(sessionmaker, {"text": "after"}) == Echo("after")
