"""SQL for signing keys. Nothing here decides; `keys.service` does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.models import SigningKeyRecord


async def list_published(session: AsyncSession, now: datetime) -> Sequence[SigningKeyRecord]:
    """Keys not retired at `now`, oldest first."""
    statement = (
        select(SigningKeyRecord)
        .where(or_(SigningKeyRecord.retires_at.is_(None), SigningKeyRecord.retires_at > now))
        .order_by(SigningKeyRecord.activates_at, SigningKeyRecord.kid)
        # A refresh must see another process's rotation, not this session's cached rows.
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).all()


async def list_all(session: AsyncSession) -> Sequence[SigningKeyRecord]:
    statement = select(SigningKeyRecord).order_by(SigningKeyRecord.created_at, SigningKeyRecord.kid)
    return (await session.scalars(statement)).all()


def add(session: AsyncSession, record: SigningKeyRecord) -> None:
    session.add(record)


async def retire_all_by(session: AsyncSession, retire_at: datetime) -> None:
    """Schedule every key to retire at `retire_at`, keeping any earlier retirement it had."""
    statement = (
        update(SigningKeyRecord)
        .where(or_(SigningKeyRecord.retires_at.is_(None), SigningKeyRecord.retires_at > retire_at))
        .values(retires_at=retire_at)
    )
    await session.execute(statement)
