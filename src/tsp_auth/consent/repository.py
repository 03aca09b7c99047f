"""SQL for the consent flow. Functions take the request's session and only flush."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.coherence import publish, tags
from tsp_auth.models import AuthorizationRequest, Binding, Grant

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


async def renewable_grant(session: AsyncSession, seller_id: str, service_id: str) -> Grant | None:
    """The (seller, service) grant to renew: the active one, else the latest expired one."""
    result = await session.scalars(
        select(Grant)
        .where(
            Grant.kind == "tsp_access",
            Grant.grantor_id == seller_id,
            Grant.service_id == service_id,
            Grant.status.in_(RENEWABLE_STATUSES),
        )
        .order_by(Grant.status.asc(), Grant.updated_at.desc())
        .execution_options(populate_existing=True)
    )
    return result.first()


async def renew_grant(session: AsyncSession, grant_id: str, values: dict[str, Any]) -> Grant | None:
    """Renew in place: same id, ``version + 1`` computed by the database so concurrent
    renewals both count; None if the grant left the renewable states meanwhile."""
    result = await session.scalars(
        update(Grant)
        .where(Grant.id == grant_id, Grant.status.in_(RENEWABLE_STATUSES))
        .values(version=Grant.version + 1, **values)
        .returning(Grant)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    await publish(session, tags.grant(grant_id))
    return result.first()


async def active_binding(session: AsyncSession, seller_id: str, partner_id: str) -> Binding | None:
    result = await session.scalars(
        select(Binding)
        .where(
            Binding.seller_id == seller_id,
            Binding.partner_id == partner_id,
            Binding.status == "active",
        )
        .execution_options(populate_existing=True)
    )
    return result.first()
