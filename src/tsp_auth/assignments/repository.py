"""SQL for member assignments. Functions take the request's session and only flush."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.grants.repository import effective_status_is
from tsp_auth.models import Grant, MemberAssignment
from tsp_auth.models.grants import TSP_ACCESS
from tsp_auth.policy import GrantStatus


async def get(session: AsyncSession, assignment_id: str) -> MemberAssignment | None:
    return await session.get(MemberAssignment, assignment_id)


async def listed(
    session: AsyncSession, *, partner_id: str, member_id: str | None = None
) -> Sequence[MemberAssignment]:
    """A partner's assignments (only ``member_id``'s when given), oldest first."""
    query = select(MemberAssignment).where(MemberAssignment.partner_id == partner_id)
    if member_id is not None:
        query = query.where(MemberAssignment.member_id == member_id)
    query = query.order_by(MemberAssignment.created_at, MemberAssignment.id)
    return (await session.scalars(query)).all()


async def remove(session: AsyncSession, assignment_id: str) -> bool:
    result = await session.execute(
        delete(MemberAssignment)
        .where(MemberAssignment.id == assignment_id)
        .returning(MemberAssignment.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


async def has_grant_in_force(
    session: AsyncSession, partner_id: str, seller_id: str, at: datetime
) -> bool:
    """Whether the seller holds a TSP access grant to the partner that is active at ``at``."""
    query = select(
        exists().where(
            Grant.kind == TSP_ACCESS,
            Grant.grantee_id == partner_id,
            Grant.grantor_id == seller_id,
            effective_status_is(GrantStatus.ACTIVE, at),
        )
    )
    return bool(await session.scalar(query))
