"""The key ring across processes: two rings on one database, as two processes would be."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tests.conftest import PG_URL
from tests.keys.conftest import AUDIENCE, TYP, Ticks
from tsp_auth.app import create_app
from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.crypto import InvalidToken
from tsp_auth.db import create_engine, create_sessionmaker
from tsp_auth.db.migrations import upgrade_head
from tsp_auth.db.unit_of_work import reads_of
from tsp_auth.keys.ring import KeyRing
from tsp_auth.keys.service import VERIFY_LEEWAY
from tsp_auth.models import SigningKeyRecord

Sessions = async_sessionmaker[AsyncSession]


async def _two_rings(sessions: Sessions, settings: Settings) -> tuple[KeyRing, KeyRing, Ticks]:
    t0 = now()
    first = await KeyRing.load(reads_of(sessions), settings, t0)
    ticks = Ticks()
    second = await KeyRing.load(reads_of(sessions), settings, t0, monotonic=ticks)
    assert [k.kid for k in second.keyset.keys] == [k.kid for k in first.keyset.keys]
    return first, second, ticks


async def test_a_rotation_elsewhere_is_seen_within_the_refresh_interval(
    committed_sessionmaker: Sessions, settings: Settings
) -> None:
    here, there, ticks = await _two_rings(committed_sessionmaker, settings)
    t0 = now()
    async with committed_sessionmaker() as session, session.begin():
        new = await here.rotate(session, t0)

    async with committed_sessionmaker() as session:
        ticks.value = 59.0
        await there.fresh_codec(t0, session=session)
        assert there.keyset.get(new.kid) is None
        ticks.value = 60.0
        await there.fresh_codec(t0, session=session)
        assert there.keyset.get(new.kid) is not None


async def test_an_unknown_kid_reloads_at_most_every_five_seconds(
    committed_sessionmaker: Sessions, settings: Settings
) -> None:
    here, there, ticks = await _two_rings(committed_sessionmaker, settings)
    t0 = now()
    async with committed_sessionmaker() as session, session.begin():
        new = await here.rotate(session, t0)
    handover = new.activates_at
    token = here.codec.encode({"sub": "s"}, typ=TYP, audience=AUDIENCE, lifetime=_MIN, now=handover)

    async with committed_sessionmaker() as session:
        ticks.value = 4.0
        with pytest.raises(InvalidToken) as caught:
            await there.decode(token, typ=TYP, audience=AUDIENCE, now=handover, session=session)
        assert caught.value.reason == "unknown_kid"  # not reloaded: too soon
        ticks.value = 5.0
        claims = await there.decode(
            token, typ=TYP, audience=AUDIENCE, now=handover, session=session
        )
    assert claims["sub"] == "s"


@pytest.mark.parametrize(
    "backend",
    [pytest.param("postgresql", marks=pytest.mark.skipif(PG_URL is None, reason="PostgreSQL"))],
    indirect=True,
)  # several processes share PostgreSQL only (SQLite is one process: docs/coherence.md)
async def test_processes_starting_together_on_a_fresh_database_make_one_first_key(
    engine: AsyncEngine, committed_sessionmaker: Sessions, settings: Settings
) -> None:
    async with engine.begin() as connection:
        await connection.execute(delete(SigningKeyRecord))
    t0 = now()

    rings = await asyncio.gather(
        *(
            KeyRing.load(reads_of(committed_sessionmaker), settings, t0)
            for _ in range(STARTING_TOGETHER)
        )
    )

    async with committed_sessionmaker() as session:
        stored = await session.scalars(select(SigningKeyRecord.kid))
        (kid,) = stored.all()
    assert [[key.kid for key in ring.keyset.keys] for ring in rings] == [[kid]] * STARTING_TOGETHER


async def test_start_up_creates_the_first_key_of_a_fresh_database(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
    await asyncio.to_thread(upgrade_head, settings.database_url)
    app: FastAPI = create_app(settings)

    async with app.router.lifespan_context(app):
        keyring: KeyRing = app.state.keyring
        assert len(keyring.keyset.keys) == 1
        assert keyring.keyset.current(now()) is keyring.keyset.keys[0]


async def test_start_up_survives_an_unmigrated_database(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    engine = create_engine(settings)
    try:
        keyring = await KeyRing.load(reads_of(create_sessionmaker(engine)), settings, now())
    finally:
        await engine.dispose()

    assert keyring.keyset.keys == ()


_MIN = timedelta(minutes=1)


async def test_the_first_key_signs_for_a_request_that_read_the_clock_just_before_it_was_made(
    tmp_path: Path,
) -> None:
    # Two first requests on a fresh database: the later one makes the key, the earlier one signs.
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
    await asyncio.to_thread(upgrade_head, settings.database_url)
    engine = create_engine(settings)
    try:
        earlier = now()
        reads = reads_of(create_sessionmaker(engine))
        ring = await KeyRing.load(reads, settings, earlier + _SECOND)
        token = ring.codec.encode(
            {"sub": "s"}, typ=TYP, audience=AUDIENCE, lifetime=_MIN, now=earlier
        )
    finally:
        await engine.dispose()

    (key,) = ring.keyset.keys
    assert ring.codec.verify(token, typ=TYP, now=earlier).header["kid"] == key.kid
    assert key.created_at == earlier + _SECOND - VERIFY_LEEWAY


_SECOND = timedelta(seconds=1)
STARTING_TOGETHER = 4
