"""The engine's fallbacks after losing a race, forced on PostgreSQL with two transactions.

Transaction B inserts first and stays open; A's insert of the same row then waits on B's
unique-index entry. We see A wait (``pg_blocking_pids``), commit B, and A must take the row B
committed: what a sequential run would have done (STYLE §11, docs/consent.md). No sleep decides
the order: the database does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.consent.helpers import set_row
from tests.factories import Factory
from tests.grants.helpers import make_world, same_pair_terms, stored
from tsp_auth.clock import now
from tsp_auth.grants.engine import create_grant, ensure_binding, record_grant
from tsp_auth.grants.terms import Recorded
from tsp_auth.models import Binding, Grant

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)

T = TypeVar("T")


async def _pid(session: AsyncSession) -> int:
    return int(await session.scalar(text("SELECT pg_backend_pid()")) or 0)


async def _wait_until_blocked_by(engine: AsyncEngine, holder: int) -> None:
    """Until some backend of this database waits on ``holder``'s transaction."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND :holder = ANY(pg_blocking_pids(pid))"
    )
    async with engine.connect() as watcher:
        for _ in range(500):
            if await watcher.scalar(query, {"holder": holder}):
                return
            await asyncio.sleep(0.02)
    raise AssertionError("the second transaction never waited on the first")


async def _after_commit_of(engine: AsyncEngine, first: AsyncSession, second: Awaitable[T]) -> T:
    """Run ``second`` until it waits on ``first``'s open transaction, then commit ``first``."""
    holder = await _pid(first)
    task = asyncio.ensure_future(second)
    await _wait_until_blocked_by(engine, holder)
    await first.commit()
    return await asyncio.wait_for(task, 30)


async def test_the_loser_of_an_insert_race_renews_the_winners_grant(
    committed_app: FastAPI, committed_client: AsyncClient, engine: AsyncEngine
) -> None:
    factory = Factory(committed_app, committed_client)
    world = await make_world(factory)
    await set_row(committed_app, Grant, world.grant.id, status="cancelled")  # not renewable
    sessions = committed_app.state.sessionmaker

    async def loser() -> Recorded:
        async with sessions() as session, session.begin():
            return await record_grant(session, same_pair_terms(world, frozenset({"orders"})), now())

    async with sessions() as winner_session:
        winner = await create_grant(
            winner_session, same_pair_terms(world, frozenset({"products"})), now()
        )
        assert winner is not None
        recorded = await _after_commit_of(engine, winner_session, loser())

    assert recorded.renewed and recorded.grant.id == winner.id
    saved = await stored(factory, winner.id)
    assert (saved.status, saved.version, saved.roles) == ("active", 2, frozenset({"orders"}))
    async with sessions() as session:
        active = await session.scalars(
            select(Grant.id).where(Grant.grantor_id == world.seller.id, Grant.status == "active")
        )
        assert list(active) == [winner.id]


async def test_the_loser_of_a_binding_race_shares_the_winners_binding(
    committed_app: FastAPI, committed_client: AsyncClient, engine: AsyncEngine
) -> None:
    factory = Factory(committed_app, committed_client)
    partner = await factory.partner()
    seller, _ = await factory.seller("UK")
    sessions = committed_app.state.sessionmaker

    async def loser() -> Binding:
        async with sessions() as session, session.begin():
            return await ensure_binding(session, seller.id, partner.id, now())

    async with sessions() as winner_session:
        winner = await ensure_binding(winner_session, seller.id, partner.id, now())
        shared = await _after_commit_of(engine, winner_session, loser())

    assert shared.id == winner.id and winner.id.startswith("bnd_")
    async with sessions() as session:
        bindings = await session.scalars(
            select(Binding.id).where(Binding.seller_id == seller.id, Binding.status == "active")
        )
        assert list(bindings) == [winner.id]
