"""SQL of the sweep. Every statement is safe with several sweepers running at once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, exists, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.coherence import publish, tags
from tsp_auth.models import Grant, GrantReminder
from tsp_auth.policy import GrantStatus


def _lapsed(at: datetime) -> tuple[ColumnElement[bool], ...]:
    return (Grant.status == GrantStatus.ACTIVE, Grant.expires_at <= at)


async def expire(session: AsyncSession, at: datetime, limit: int) -> Sequence[Grant]:
    """Move up to ``limit`` lapsed grants from ``active`` to ``expired`` (version + 1).

    The conditions are on the UPDATE itself, so each grant is moved once: PostgreSQL re-checks
    them on a row another sweeper (or a renewal) changed meanwhile; ``SKIP LOCKED`` lets
    concurrent sweepers take different rows; SQLite writers queue behind BEGIN IMMEDIATE.
    """
    batch = (
        select(Grant.id)
        .where(*_lapsed(at))
        .order_by(Grant.expires_at, Grant.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    result = await session.scalars(
        update(Grant)
        .where(Grant.id.in_(batch.scalar_subquery()), *_lapsed(at))
        .values(status=GrantStatus.EXPIRED, version=Grant.version + 1, updated_at=at)
        .returning(Grant)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    expired = result.all()
    await publish(session, *(tags.grant(grant.id) for grant in expired))
    return expired


async def reminder_candidates(
    session: AsyncSession, at: datetime, days: int, after_days: int, limit: int
) -> Sequence[Grant]:
    """Active grants expiring in (after_days, days] days whose ``days`` reminder for this
    expiry was not sent, and that were granted for longer than ``days`` (a 30-day grant gets
    no "30 days left" reminder the moment it is made)."""
    sent = exists().where(
        GrantReminder.grant_id == Grant.id,
        GrantReminder.expires_at == Grant.expires_at,
        GrantReminder.days == days,
    )
    result = await session.scalars(
        select(Grant)
        .where(
            Grant.status == GrantStatus.ACTIVE,
            Grant.expires_at > at + timedelta(days=after_days),
            Grant.expires_at <= at + timedelta(days=days),
            or_(Grant.duration_days.is_(None), Grant.duration_days > days),
            ~sent,
        )
        .order_by(Grant.expires_at, Grant.id)
        .limit(limit)
    )
    return result.all()


async def claim_reminders(
    session: AsyncSession, grants: Sequence[Grant], days: int, at: datetime
) -> set[str]:
    """Insert the (grant, expiry, days) rows; return the grants this call inserted.

    ``ON CONFLICT DO NOTHING``: of two sweepers inserting the same key, PostgreSQL makes the
    second wait for the first and then skips the row, so exactly one of them sends it.
    """
    if not grants:
        return set()
    rows = [
        {"grant_id": g.id, "expires_at": g.expires_at, "days": days, "sent_at": at}
        for g in grants
        if g.expires_at is not None
    ]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    result = await session.scalars(
        insert(GrantReminder)
        .values(rows)
        .on_conflict_do_nothing()
        .returning(GrantReminder.grant_id)
    )
    return set(result.all())
