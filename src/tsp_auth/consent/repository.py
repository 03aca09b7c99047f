"""SQL for the consent flow. Functions take the request's session and only flush."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.models import AuthorizationRequest, Grant

# Grants a new consent renews instead of duplicating (seed 002 FAQ: renew by the link again).
RENEWABLE_STATUSES = ("active", "expired")


async def get_request(
    session: AsyncSession, request_id: str, *, fresh: bool = False
) -> AuthorizationRequest | None:
    statement = select(AuthorizationRequest).where(AuthorizationRequest.id == request_id)
    if fresh:
        # Re-read what another transaction committed, not the copy this session holds.
        statement = statement.execution_options(populate_existing=True)
    return (await session.scalars(statement)).first()


async def decide_request(
    session: AsyncSession, request_id: str, *, status: str, account_id: str, at: datetime
) -> bool:
    """Mark a pending, unexpired request decided; False if it was not (any more).

    One atomic UPDATE is the single-use guard across processes (STYLE §11): of two concurrent
    decisions exactly one matches ``status = 'pending'``; PostgreSQL makes the second wait for
    the first's row lock and then re-checks the condition.
    """
    result = await session.execute(
        update(AuthorizationRequest)
        .where(
            AuthorizationRequest.id == request_id,
            AuthorizationRequest.status == "pending",
            AuthorizationRequest.expires_at > at,
        )
        .values(status=status, decided_by=account_id, decided_at=at)
        .returning(AuthorizationRequest.id)
        .execution_options(synchronize_session=False)
    )
    return result.scalar_one_or_none() is not None


async def seller_partner_grants(
    session: AsyncSession, seller_id: str, partner_id: str
) -> Sequence[Grant]:
    """The seller's TSP access grants to this partner that a consent may renew."""
    result = await session.scalars(
        select(Grant)
        .where(
            Grant.kind == "tsp_access",
            Grant.grantor_id == seller_id,
            Grant.grantee_id == partner_id,
            Grant.status.in_(RENEWABLE_STATUSES),
        )
        .order_by(Grant.updated_at)
    )
    return result.all()
