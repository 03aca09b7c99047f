"""SQL for webhook endpoints and the delivery outbox. Functions take a session and only flush."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

ACTIVE = "active"
PENDING = "pending"


async def active_endpoints(session: AsyncSession, partner_id: str) -> Sequence[WebhookEndpoint]:
    result = await session.scalars(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.partner_id == partner_id, WebhookEndpoint.status == ACTIVE)
        .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
    )
    return result.all()


async def rotate_secret(
    session: AsyncSession,
    partner_id: str,
    endpoint_id: str,
    *,
    new_secret_encrypted: str,
    previous_until: datetime,
) -> bool:
    """Make a new current secret; the one it replaces keeps signing until ``previous_until``.

    One conditional UPDATE, so two concurrent rotations each leave a consistent pair."""
    result = await session.execute(
        update(WebhookEndpoint)
        .where(
            WebhookEndpoint.id == endpoint_id,
            WebhookEndpoint.partner_id == partner_id,
            WebhookEndpoint.status == ACTIVE,
        )
        .values(
            previous_secret_encrypted=WebhookEndpoint.secret_encrypted,
            previous_secret_until=previous_until,
            secret_encrypted=new_secret_encrypted,
        )
        .returning(WebhookEndpoint.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


async def count_active(session: AsyncSession, partner_id: str) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(WebhookEndpoint)
        .where(WebhookEndpoint.partner_id == partner_id, WebhookEndpoint.status == ACTIVE)
    )
    return int(count or 0)


async def delete_endpoint(
    session: AsyncSession, partner_id: str, endpoint_id: str, at: datetime
) -> bool:
    """Mark the endpoint deleted and cancel what it still had to receive."""
    result = await session.execute(
        update(WebhookEndpoint)
        .where(
            WebhookEndpoint.id == endpoint_id,
            WebhookEndpoint.partner_id == partner_id,
            WebhookEndpoint.status == ACTIVE,
        )
        .values(status="deleted", deleted_at=at)
        .returning(WebhookEndpoint.id)
        .execution_options(synchronize_session=False)
    )
    if result.first() is None:
        return False
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.status == PENDING)
        .values(status="cancelled", locked_until=None, lease_id=None)
        .execution_options(synchronize_session=False)
    )
    return True


def _claimable(due_by: datetime, at: datetime) -> tuple[Any, ...]:
    return (
        WebhookDelivery.status == PENDING,
        WebhookDelivery.next_attempt_at <= due_by,
        or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until < at),
    )


async def claim(
    session: AsyncSession,
    *,
    due_by: datetime,
    at: datetime,
    lease_until: datetime,
    lease_id: str,
    limit: int,
) -> Sequence[tuple[WebhookDelivery, WebhookEndpoint]]:
    """Lease up to ``limit`` due deliveries to this worker, atomically.

    PostgreSQL: ``FOR UPDATE SKIP LOCKED`` lets concurrent workers take disjoint rows without
    waiting for each other. SQLite renders no lock clause; its writers queue behind
    ``BEGIN IMMEDIATE``, so the conditional UPDATE alone is atomic. Either way the lease (not
    the transaction) is what protects the row while it is being sent: the claim commits at
    once, and a worker that dies leaves a lease that simply expires.
    """
    due = (
        select(WebhookDelivery.id)
        .where(*_claimable(due_by, at))
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(due.scalar_subquery()), *_claimable(due_by, at))
        .values(locked_until=lease_until, lease_id=lease_id)
        .returning(WebhookDelivery.id)
        .execution_options(synchronize_session=False)
    )
    ids = list(claimed.scalars())
    if not ids:
        return []
    rows = await session.execute(
        select(WebhookDelivery, WebhookEndpoint)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.id.in_(ids))
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .execution_options(populate_existing=True)
    )
    return [(delivery, endpoint) for delivery, endpoint in rows]


async def finish(
    session: AsyncSession, delivery_id: str, lease_id: str, values: dict[str, Any]
) -> bool:
    """Store an attempt's outcome, if this worker still holds the lease."""
    result = await session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.lease_id == lease_id,
            WebhookDelivery.status == PENDING,
        )
        .values(locked_until=None, lease_id=None, **values)
        .returning(WebhookDelivery.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


async def add_attempt(session: AsyncSession, attempt: WebhookAttempt) -> None:
    session.add(attempt)
    await session.flush()
