"""Helpers for the key tests: sessions on the test's connection, and really committed ones."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import pytest
from fastapi import FastAPI
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tsp_auth.db import create_sessionmaker
from tsp_auth.keys.ring import KeyRing
from tsp_auth.models import SigningKeyRecord

T = TypeVar("T")
AUDIENCE = "https://seller.example.test"
TYP = "at+jwt"


async def in_session(app: FastAPI, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in a session of the app, committed (a savepoint release in tests)."""
    sessionmaker: async_sessionmaker[AsyncSession] = app.state.sessionmaker
    async with sessionmaker() as session, session.begin():
        return await work(session)


async def sign(app: FastAPI, at: datetime, lifetime: timedelta = timedelta(minutes=5)) -> str:
    keyring: KeyRing = app.state.keyring
    return await in_session(
        app,
        lambda s: keyring.encode(
            {"sub": "seller_1"}, typ=TYP, audience=AUDIENCE, lifetime=lifetime, now=at, session=s
        ),
    )


async def verify(app: FastAPI, token: str, at: datetime) -> dict[str, Any]:
    keyring: KeyRing = app.state.keyring
    return await in_session(
        app, lambda s: keyring.decode(token, typ=TYP, audience=AUDIENCE, now=at, session=s)
    )


class Ticks:
    """A monotonic clock the test moves by hand (the ring's refresh timer)."""

    def __init__(self) -> None:
        self.value = 0.0

    def __call__(self) -> float:
        return self.value


@pytest.fixture
async def committed_sessionmaker(
    engine: AsyncEngine,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions whose commits are real, as two processes would see them; emptied afterwards."""
    yield create_sessionmaker(engine)
    async with engine.begin() as connection:
        await connection.execute(delete(SigningKeyRecord))
