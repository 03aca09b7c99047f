"""Who in a business center may use which TikTok account, at which level (seed 003 step 2):
the admin's view of its members and their assignments, for the "TikTok accounts" page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.business_centers import repository
from tsp_auth.business_centers.service import admin_bc
from tsp_auth.identity.callers import Caller
from tsp_auth.models import Account, BcAssignment


@dataclass(frozen=True, slots=True)
class Roster:
    members: Sequence[Account]
    assignments: Sequence[BcAssignment]


async def roster(session: AsyncSession, caller: Caller, bc_id: str) -> Roster:
    """The members and every assignment (BC admins only, as assigning is)."""
    bc = await admin_bc(session, caller, bc_id, "bc_assignment.listed")
    members = await repository.members_of(session, bc.id)
    return Roster(members, await repository.assignments_of_bc(session, bc.id))
