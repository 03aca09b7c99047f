"""Lone audit events are group-committed (audit.committer): concurrent Creator IM decisions
share one multi-row INSERT, each is answered only once its row is readable, and a batch
that fails fails every request in it with nothing written.

On PostgreSQL a writer holding ``LOCK TABLE audit_events`` keeps a first batch waiting,
so the requests arriving meanwhile are known to share the next one. (SQLite cannot hold a
write without also holding the decisions' reads: there, rows queued in one step of the event
loop are known to share a batch.)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import PG_URL
from tests.factories import Factory
from tests.statements import inserts_into, sent_statements
from tests.tsp_access.helpers import make_world, session_token
from tsp_auth.audit.committer import GroupCommitter
from tsp_auth.audit.repository import AuditRow
from tsp_auth.audit.service import drain_lone_events, lone_event_committer
from tsp_auth.clock import now
from tsp_auth.models.audit import AuditEvent
from tsp_auth.models.base import new_id

CONCURRENT = 12
_POSTGRES_ONLY = pytest.mark.parametrize(
    "backend",
    [pytest.param("postgresql", marks=pytest.mark.skipif(PG_URL is None, reason="PostgreSQL"))],
    indirect=True,
)


def _row(action: Any = "test.event") -> AuditRow:
    return AuditRow(
        id=new_id("aud"),
        occurred_at=now(),
        action=action,
        outcome="success",
        reason=None,
        actor_id="acc_test",
        actor_type="account",
        on_behalf_of=None,
        partner_id=None,
        seller_id=None,
        grant_id=None,
        request_id=None,
        detail={},
    )


async def _creator_im(client: AsyncClient, token: str, shop_id: str) -> Response:
    body = {"token": token, "action": "creator_im.send", "shop_id": shop_id}
    return await client.post("/v1/decisions", json=body)


async def _count(engine: AsyncEngine, *where: Any) -> int:
    async with engine.connect() as connection:
        found = await connection.scalar(select(func.count()).select_from(AuditEvent).where(*where))
        return int(found or 0)


def _audit_inserts(sent: list[str]) -> int:
    """How many INSERT statements (round trips) wrote audit events."""
    return len(inserts_into(sent, "audit_events"))


async def _until(condition: Callable[[], bool]) -> None:
    """Poll state of the committer that has no event to wait on (it only counts)."""
    async with asyncio.timeout(5):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


@asynccontextmanager
async def _first_batch_held(
    engine: AsyncEngine, committer: GroupCommitter[AuditRow]
) -> AsyncIterator[asyncio.Task[None]]:
    """A first batch (one row) waiting for the audit table until the block is left."""
    async with engine.connect() as blocker:
        await blocker.begin()
        await blocker.execute(text("LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE"))
        first = asyncio.create_task(committer.submit(_row("test.first")))
        await _until(lambda: committer.batches == 1 and committer.queued == 0)
        yield first
        await blocker.rollback()


async def test_concurrent_creator_im_decisions_share_inserts_and_answer_after_their_row(
    committed_app: FastAPI, committed_client: AsyncClient, backend: str
) -> None:
    factory = Factory(committed_app, committed_client)
    world = await make_world(factory)
    token = await session_token(factory, world.admin, world.seller.id)
    engine: AsyncEngine = committed_app.state.engine

    async def decide_then_read() -> tuple[Response, int]:
        response = await _creator_im(committed_client, token, world.seller.id)
        # Read the moment the answer arrives: the row must already be committed.
        rid = response.headers["x-request-id"]
        return response, await _count(engine, AuditEvent.request_id == rid)

    async with sent_statements(engine) as sent:
        answers = await asyncio.gather(*(decide_then_read() for _ in range(CONCURRENT)))
    assert [r.status_code for r, _ in answers] == [200] * CONCURRENT
    assert all(r.json()["allow"] for r, _ in answers)
    assert [found for _, found in answers] == [1] * CONCURRENT
    assert await _count(engine, AuditEvent.action == "creator_im.authorized") == CONCURRENT
    if backend == "postgresql":
        # Batched: fewer round trips than rows. (On SQLite every read takes the write lock
        # too, so the decisions reach the committer one by one.)
        assert 1 <= _audit_inserts(sent) < CONCURRENT


async def test_rows_queued_together_are_one_statement_and_fail_together(
    committed_app: FastAPI,
) -> None:
    engine: AsyncEngine = committed_app.state.engine
    committer = lone_event_committer(committed_app.state.sessionmaker)
    async with sent_statements(engine) as sent:
        await asyncio.gather(*(committer.submit(_row("test.good")) for _ in range(CONCURRENT)))
        assert _audit_inserts(sent) == 1
        outcomes = await asyncio.gather(
            *(committer.submit(_row("test.doomed")) for _ in range(CONCURRENT)),
            committer.submit(_row(action=None)),  # NOT NULL: the database refuses it
            return_exceptions=True,
        )
    assert _audit_inserts(sent) == 2
    assert all(isinstance(outcome, DBAPIError) for outcome in outcomes)
    assert await _count(engine, AuditEvent.action == "test.good") == CONCURRENT
    assert await _count(engine, AuditEvent.action == "test.doomed") == 0


@_POSTGRES_ONLY
async def test_requests_arriving_during_a_write_share_the_next_insert(
    committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    factory = Factory(committed_app, committed_client)
    world = await make_world(factory)
    token = await session_token(factory, world.admin, world.seller.id)
    engine: AsyncEngine = committed_app.state.engine
    committer = lone_event_committer(committed_app.state.sessionmaker)

    async with sent_statements(engine) as sent:
        async with _first_batch_held(engine, committer) as first:
            decisions = [
                asyncio.create_task(_creator_im(committed_client, token, world.seller.id))
                for _ in range(CONCURRENT)
            ]
            await _until(lambda: committer.queued == CONCURRENT)
            assert not any(d.done() for d in decisions)  # nobody answered before its commit
        await first
        answers = await asyncio.gather(*decisions)
    assert [r.status_code for r in answers] == [200] * CONCURRENT
    assert _audit_inserts(sent) == 2  # the held one, then every decision's row in one statement
    assert await _count(engine, AuditEvent.action == "creator_im.authorized") == CONCURRENT


@_POSTGRES_ONLY
async def test_a_failing_batch_fails_every_request_in_it_and_writes_none_of_it(
    committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    factory = Factory(committed_app, committed_client)
    world = await make_world(factory)
    token = await session_token(factory, world.admin, world.seller.id)
    engine: AsyncEngine = committed_app.state.engine
    committer = lone_event_committer(committed_app.state.sessionmaker)

    async with _first_batch_held(engine, committer) as first:
        decisions = [
            asyncio.create_task(_creator_im(committed_client, token, world.seller.id))
            for _ in range(CONCURRENT)
        ]
        # A row the database refuses (NOT NULL), queued into the same batch.
        refused = asyncio.create_task(committer.submit(_row(action=None)))
        await _until(lambda: committer.queued == CONCURRENT + 1)
    await first
    answers = await asyncio.gather(*decisions)
    assert [r.status_code for r in answers] == [503] * CONCURRENT
    assert {r.json()["error"] for r in answers} == {"temporarily_unavailable"}
    with pytest.raises(DBAPIError):
        await refused
    assert await _count(engine, AuditEvent.action == "creator_im.authorized") == 0
    assert await _count(engine, AuditEvent.action == "test.first") == 1
    # The committer goes on: the next decision is recorded and answered.
    after = await _creator_im(committed_client, token, world.seller.id)
    assert after.status_code == 200, after.text
    assert await _count(engine, AuditEvent.action == "creator_im.authorized") == 1


async def test_shutdown_drains_what_is_queued(committed_app: FastAPI) -> None:
    engine: AsyncEngine = committed_app.state.engine
    sessionmaker = committed_app.state.sessionmaker
    pending = [
        asyncio.create_task(lone_event_committer(sessionmaker).submit(_row("test.queued")))
        for _ in range(CONCURRENT)
    ]
    await asyncio.sleep(0)  # queued, not yet written
    await drain_lone_events(sessionmaker)
    assert all(task.done() for task in pending)
    assert await _count(engine, AuditEvent.action == "test.queued") == CONCURRENT


async def test_a_caller_that_goes_away_leaves_its_row_in_the_batch(committed_app: FastAPI) -> None:
    engine: AsyncEngine = committed_app.state.engine
    sessionmaker = committed_app.state.sessionmaker
    committer = lone_event_committer(sessionmaker)
    callers = [asyncio.create_task(committer.submit(_row("test.kept"))) for _ in range(3)]
    await asyncio.sleep(0)  # all three queued
    callers[0].cancel()  # e.g. its client disconnected
    await drain_lone_events(sessionmaker)
    assert callers[0].cancelled()
    assert [task.result() for task in callers[1:]] == [None, None]
    assert await _count(engine, AuditEvent.action == "test.kept") == 3
