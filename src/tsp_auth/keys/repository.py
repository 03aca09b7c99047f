"""SQL for signing keys. Nothing here decides; `keys.service` does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select, update
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


# pg_advisory_xact_lock's key for adding signing keys: any constant no other lock of ours uses.
_KEY_CREATION_LOCK = 0x7473_706B_6579  # "tspkey"


async def lock_key_creation(session: AsyncSession) -> None:
    """Hold, until the transaction ends, the right to add signing keys: processes starting
    together on a fresh PostgreSQL database make one first key, and rotations run one at a
    time. SQLite has a single process (docs/coherence.md): nothing to wait for."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(_KEY_CREATION_LOCK)))


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
