"""PostgreSQL-only modules here are named ``test_postgres_*.py``: not collected without
TSP_AUTH_TEST_DATABASE_URL (CI always sets it), and parametrised on ``postgresql`` only.

Mutation runs (scripts/mutation/run.py) start one test session per mutant, one at a time on
PostgreSQL. With ``TSP_AUTH_TEST_REUSE_SCHEMA`` set (a folder: run.py sets it for those serial
runs only), each session reuses the schema the previous one migrated, emptied, instead of
migrating both databases afresh: the same starting state for 3 seconds less a mutant."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.coherence.processes import Pair, serving
from tests.conftest import PG_URL
from tsp_auth.coherence.bus import listen_dsn
from tsp_auth.coherence.runtime import Runtime
from tsp_auth.config import Settings
from tsp_auth.db import create_engine
from tsp_auth.db.migrations import alembic_config, current_revisions, upgrade_connection
from tsp_auth.models.base import Base

collect_ignore_glob = [] if PG_URL else ["test_postgres_*.py"]
REUSE = os.environ.get("TSP_AUTH_TEST_REUSE_SCHEMA")

if REUSE:

    @pytest.fixture(scope="session")
    def slot() -> Iterator[int]:
        """Which of the databases this session has to itself: run.py runs one test session
        per database at once (``TSP_AUTH_TEST_DATABASE_SLOTS``), each takes a free one."""
        folder = Path(str(REUSE))
        folder.mkdir(parents=True, exist_ok=True)
        count = len(os.environ.get("TSP_AUTH_TEST_DATABASE_SLOTS", "").split()) or 1
        while True:
            for index in range(count):
                with (folder / f"slot-{index}.lock").open("w") as lock:
                    try:
                        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        continue
                    yield index
                    return
            time.sleep(0.05)  # every slot taken: a session is ending

    @pytest.fixture(scope="session")
    def settings(backend: str, slot: int) -> Settings:
        if backend == "postgresql":
            slots = os.environ.get("TSP_AUTH_TEST_DATABASE_SLOTS", "").split() or [PG_URL]
            url = slots[slot]
            assert url is not None
            return Settings(database_url=url)
        folder = Path(str(REUSE))
        return Settings(database_url=f"sqlite+aiosqlite:///{folder / f'test-{slot}.db'}")

    @pytest.fixture(scope="session")
    async def engine(settings: Settings, backend: str) -> AsyncIterator[AsyncEngine]:
        engine = create_engine(settings)
        heads = frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())
        async with engine.connect() as connection:
            if await current_revisions(connection) != heads:
                if backend == "postgresql":
                    await connection.execute(text("DROP SCHEMA public CASCADE"))
                    await connection.execute(text("CREATE SCHEMA public"))
                    await connection.commit()
                await upgrade_connection(connection)
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(table.delete())
            await connection.commit()
        yield engine
        await engine.dispose()


@pytest.fixture
async def pair(settings: Settings, engine: AsyncEngine) -> AsyncIterator[Pair]:
    """A on an engine of its own; B on the tests' (migrated) engine, as committed_app uses.
    Leases of 2 s (renewed every 0.67 s): a writer that waits for a process that will never
    acknowledge gives up within 3 s, so a test that catches it fails quickly."""
    short = settings.model_copy(update={"coherence_lease_seconds": 2.0})
    other = create_engine(short)
    a, b = Runtime(short, other), Runtime(short, engine)
    try:
        yield Pair(await serving(a), await serving(b))
    finally:
        await a.stop()
        await b.stop()
        await other.dispose()


@pytest.fixture
async def long_lease(settings: Settings, engine: AsyncEngine) -> AsyncIterator[Runtime]:
    """A process whose next renewal is far off (every 20 s): what it notices before then, it
    noticed because it was told, not because a renewal failed."""
    long = settings.model_copy(update={"coherence_lease_seconds": 60.0})
    own = create_engine(long)
    runtime = Runtime(long, own)
    try:
        yield await serving(runtime)
    finally:
        await runtime.stop()
        await own.dispose()


@pytest.fixture
async def raw(settings: Settings, engine: AsyncEngine) -> AsyncIterator[asyncpg.Connection]:
    """A connection of the listener's kind, for a test's own leases (``test:…``) and NOTIFYs."""
    connection: asyncpg.Connection = await asyncpg.connect(listen_dsn(settings))
    try:
        yield connection
    finally:
        await connection.execute("DELETE FROM coherence_leases WHERE process_id LIKE 'test:%'")
        await connection.close()
