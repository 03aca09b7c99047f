"""SQL of the kept answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.models import IdempotencyKey


async def forget_older_than(session: AsyncSession, scope: str, key: str, cutoff: datetime) -> None:
    await session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.scope == scope,
            IdempotencyKey.key == key,
            IdempotencyKey.created_at <= cutoff,
        )
    )


async def find(session: AsyncSession, scope: str, key: str) -> IdempotencyKey | None:
    return await session.scalar(
        select(IdempotencyKey)
        .where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
        .execution_options(populate_existing=True)
    )


async def claim(
    session: AsyncSession, scope: str, key: str, fingerprint: str, at: datetime
) -> bool:
    """Insert the key; False when another request holds it (it committed first).

    In a savepoint, so that losing leaves the request's transaction usable for the replay."""
    try:
        async with session.begin_nested():
            await session.execute(
                insert(IdempotencyKey).values(
                    scope=scope, key=key, fingerprint=fingerprint, created_at=at
                )
            )
    except IntegrityError:
        return False
    return True


async def keep_answer(
    session: AsyncSession, scope: str, key: str, status_code: int, response: str
) -> None:
    await session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
        .values(status_code=status_code, response=response)
        .execution_options(synchronize_session=False)
    )
