"""Single use across processes: real commits, one connection per request (STYLE §11)."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select

from tests.factories import Factory
from tests.tsp_access.helpers import login_token, make_world, redeem
from tsp_auth.models import ConsoleSession


async def test_32_concurrent_redemptions_of_one_login_token_make_one_session(
    committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    """PostgreSQL: the redemptions race on one conditional UPDATE; the losers wait for the
    winner's row lock, then match no row. SQLite: writers queue behind BEGIN IMMEDIATE."""
    factory = Factory(committed_app, committed_client)
    world = await make_world(factory)
    token = await login_token(factory, world.admin, world.seller.id)
    responses = await asyncio.gather(*(redeem(committed_client, token) for _ in range(32)))
    assert sorted(r.status_code for r in responses) == [201] + [409] * 31, [
        r.text for r in responses if r.status_code not in (201, 409)
    ]
    assert {r.json()["error"] for r in responses if r.status_code == 409} == {"login_token_used"}
    async with committed_app.state.sessionmaker() as session:
        count = await session.scalar(select(func.count()).select_from(ConsoleSession))
    assert count == 1
