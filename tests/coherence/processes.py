"""Processes in one process: coherences on their own engines and listener connections, for
the PostgreSQL tests of the protocol (test_postgres_bus.py, test_postgres_writer.py)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tsp_auth.coherence import tags
from tsp_auth.coherence.process import Coherence
from tsp_auth.coherence.publish import acknowledged, publish
from tsp_auth.coherence.runtime import Runtime
from tsp_auth.config import Settings

BOUND = 5.0  # how long a test waits for what must happen (a loaded machine), never a speed
G1 = tags.grant("g1")


@asynccontextmanager
async def lifespan_runtime(settings: Settings, engine: AsyncEngine) -> AsyncIterator[Runtime]:
    """What the lifespan starts: the engine gets its coherence (and, on PostgreSQL, a listener
    whose lease must be granted before the cache serves), stopped at the end."""
    runtime = await serving(Runtime(settings, engine))
    try:
        yield runtime
    finally:
        await runtime.stop()


@dataclass
class Pair:
    a: Runtime  # the process that caches and must hear of changes
    b: Runtime  # the process that writes them


async def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + BOUND
    while not condition():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.01)


async def serving(runtime: Runtime) -> Runtime:
    await runtime.start()
    await until(runtime.coherence.serving, "the lease was never granted")
    return runtime


def cached(coherence: Coherence, *keys: str) -> None:
    """Entries ``key``, each tagged with the grant of that id."""
    for key in keys:
        assert coherence.cache.put(key, key, (tags.grant(key),), coherence.cache.epoch)


def left(coherence: Coherence, *keys: str) -> list[str]:
    return [key for key in keys if coherence.cache.get(key) is not None]


async def commit_naming(engine: AsyncEngine, *named: str) -> AsyncSession:
    """A committed change that names ``named``; the writer has not answered yet
    (``acknowledged`` is the caller's)."""
    session = AsyncSession(engine)
    await session.execute(text("SELECT 1"))  # the change the invalidation is part of
    await publish(session, *named)
    await session.commit()
    return session


async def write(engine: AsyncEngine, *named: str) -> None:
    """A change that names ``named``, through to the writer's answer."""
    session = await commit_naming(engine, *named)
    try:
        await acknowledged(session)
    finally:
        await session.close()
