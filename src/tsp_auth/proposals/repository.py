"""SQL for service proposals. Functions take the request's session and only flush."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.models import Partner, Service, ServiceProposal

Row = tuple[ServiceProposal, Service, Partner]


async def get(session: AsyncSession, proposal_id: str) -> Row | None:
    statement = (
        select(ServiceProposal, Service, Partner)
        .join(Service, Service.id == ServiceProposal.service_id)
        .join(Partner, Partner.id == ServiceProposal.partner_id)
        .where(ServiceProposal.id == proposal_id)
        .execution_options(populate_existing=True)
    )
    row = (await session.execute(statement)).first()
    return None if row is None else (row[0], row[1], row[2])


async def listed(
    session: AsyncSession, *, seller_id: str | None = None, partner_id: str | None = None
) -> Sequence[Row]:
    """A seller's or a partner's proposals, oldest first."""
    statement = (
        select(ServiceProposal, Service, Partner)
        .join(Service, Service.id == ServiceProposal.service_id)
        .join(Partner, Partner.id == ServiceProposal.partner_id)
        .order_by(ServiceProposal.created_at, ServiceProposal.id)
    )
    if seller_id is not None:
        statement = statement.where(ServiceProposal.seller_id == seller_id)
    if partner_id is not None:
        statement = statement.where(ServiceProposal.partner_id == partner_id)
    rows = await session.execute(statement)
    return [(row[0], row[1], row[2]) for row in rows]


async def close(
    session: AsyncSession, proposal_id: str, *, status: str, account_id: str, at: datetime
) -> bool:
    """Answer an open, unexpired proposal in one statement (STYLE §11): of an accept, a
    decline and a withdrawal racing, exactly one matches the open row."""
    result = await session.execute(
        update(ServiceProposal)
        .where(
            ServiceProposal.id == proposal_id,
            ServiceProposal.status == "open",
            ServiceProposal.expires_at > at,
        )
        .values(status=status, decided_by=account_id, decided_at=at)
        .returning(ServiceProposal.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


async def set_grant(session: AsyncSession, proposal_id: str, grant_id: str) -> None:
    await session.execute(
        update(ServiceProposal)
        .where(ServiceProposal.id == proposal_id)
        .values(grant_id=grant_id)
        .execution_options(synchronize_session=False)
    )
