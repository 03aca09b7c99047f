"""What every repository does the same way: add rows, and add one in a savepoint."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


async def add(session: AsyncSession, *rows: object) -> None:
    """Insert ``rows`` in the request's transaction (flushed, not committed)."""
    session.add_all(rows)
    await session.flush()


async def add_in_savepoint(session: AsyncSession, row: object) -> None:
    """Insert ``row`` in a savepoint, so a unique-index conflict (IntegrityError) leaves the
    request's transaction usable for the caller's fallback or its 409."""
    async with session.begin_nested():
        session.add(row)
        await session.flush()
