"""What `GET /v1/me` tells a first-party frontend about its signed-in account."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.accounts.schemas import BusinessCenterMembership, Me
from tsp_auth.business_centers import repository as business_centers
from tsp_auth.identity.callers import Caller


async def memberships(session: AsyncSession, caller: Caller) -> list[BusinessCenterMembership]:
    """The Business Centers the account belongs to, with its role there (seed 003 "User Roles
    & Access"): a Business Center frontend finds its centre here. An account belongs to at most
    one today; the list leaves room for more without a breaking change."""
    if caller.kind != "business_center" or caller.business_center_id is None:
        return []
    bc = await business_centers.get_business_center(session, caller.business_center_id)
    if bc is None:
        return []
    return [BusinessCenterMembership(id=bc.id, name=bc.name, role=caller.role)]


async def me(session: AsyncSession, caller: Caller) -> Me:
    return Me(
        account_id=caller.account_id,
        kind=caller.kind,
        role=caller.role,
        name=caller.name,
        seller_id=caller.seller_id,
        partner_id=caller.partner_id,
        business_centers=await memberships(session, caller),
    )
