"""The unit of work (STYLE §3): the request owns the transaction.

A request gets one session; the transaction it begins commits when the handler returns and
rolls back when it raises. Services and repositories only ``flush()``: they never commit, so a
request's writes are all kept or all dropped. Direct statements (``db.direct``) run outside
it, each on its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import Request
from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.coherence.publish import acknowledged
from tsp_auth.db.direct import SessionSource

SessionmakerOf = Callable[[Request], async_sessionmaker[AsyncSession]]


def request_session(
    sessionmaker_of: SessionmakerOf,
) -> Callable[[Request], AsyncIterator[AsyncSession]]:
    """The request's session as a FastAPI dependency, from the sessionmaker ``sessionmaker_of``
    finds on the request (``deps`` alone reads ``app.state``)."""

    async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
        async with unit_of_work(sessionmaker_of(request)) as session:
            yield session

    return get_session


@asynccontextmanager
async def unit_of_work(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One session per request: commit when the handler returns, roll back when it raises.
    The request's dependency above, and what a direct route (``direct_routes``) opens itself."""
    session = sessionmaker()
    try:
        yield session
        # A request that never touched the database (JWKS, say) has nothing to commit;
        # each commit is a greenlet round trip, a measurable share of a hot endpoint. The
        # session gives its connection back when its transaction ends: no close() needed.
        if session.in_transaction():
            await session.commit()
            # What the commit ended or narrowed is dropped by every live process before
            # the answer is sent (docs/coherence.md).
            await acknowledged(session)
    except BaseException:
        await session.rollback()
        raise


def request_read_session(
    sessionmaker_of: SessionmakerOf,
) -> Callable[[Request], AsyncIterator[AsyncSession]]:
    """A session for a request that only reads (a GET): it never commits, and on PostgreSQL
    its transaction is ``READ ONLY`` (asyncpg begins it so: no extra round trip), so a write
    slipped into a read path fails loudly instead of being kept (SQLAlchemy "postgresql_readonly";
    the option is reset when the connection goes back to the pool)."""

    async def get_read_session(request: Request) -> AsyncIterator[AsyncSession]:
        session = sessionmaker_of(request)()
        try:
            bind = session.get_bind()
            # A session bound to a connection already in a transaction (a test's) keeps it.
            if isinstance(bind, Engine) and bind.dialect.name == "postgresql":
                await session.connection(execution_options={"postgresql_readonly": True})
            yield session
        finally:
            await session.rollback()  # nothing to keep: ends the transaction, frees the connection

    return get_read_session


@asynccontextmanager
async def reading(source: SessionSource) -> AsyncIterator[AsyncSession]:
    """A session to read in: the caller's own (inside its unit of work), or, given the
    sessionmaker, one opened in a transaction of its own for the read."""
    if isinstance(source, AsyncSession):
        yield source
        return
    async with source() as session, session.begin():
        yield session


# How an object that outlives requests (the key ring) reads: ``reads(None)`` in a session and
# transaction of its own, ``reads(session)`` in the caller's (rule 4, docs/architecture.md:
# inside a write transaction on SQLite a second connection would wait for the first's lock).
Reads = Callable[[AsyncSession | None], AbstractAsyncContextManager[AsyncSession]]


def reads_of(sessionmaker: async_sessionmaker[AsyncSession]) -> Reads:
    """The reads of an object kept for the app of ``sessionmaker`` (``KeyRing``)."""

    def read_in(session: AsyncSession | None) -> AbstractAsyncContextManager[AsyncSession]:
        return reading(sessionmaker if session is None else session)

    return read_in
