"""The TikTok account owner's side (seed 003): the Business Centers it authorized, for its page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.business_centers import repository
from tsp_auth.identity.callers import Caller
from tsp_auth.models import Grant


@dataclass(frozen=True, slots=True)
class OwnerAuthorization:
    grant: Grant
    business_center_name: str


async def owner_authorizations(session: AsyncSession, caller: Caller) -> list[OwnerAuthorization]:
    """The owner's authorizations, each with its business center's name; none for others
    (as ``GET /v1/bc-access/grants`` answers them)."""
    if caller.kind != "tiktok":
        return []
    found = []
    for grant in await repository.owner_grants(session, caller.account_id):
        bc = await repository.get_business_center(session, grant.grantee_id)
        found.append(OwnerAuthorization(grant, bc.name if bc else grant.grantee_id))
    return found
