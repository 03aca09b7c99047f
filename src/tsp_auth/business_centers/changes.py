"""Seed 003: an admin gives members permission to use a TikTok account and roles on ad
accounts, and so manages them: changes a level or a role, or takes it back.

A change is one conditional statement on the row (STYLE §11), recorded in the audit trail.
It bites on the next call on every process with nothing to invalidate: the Business Center
reads (accounts a member sees, permissions, decisions) read these rows fresh on each call
(docs/business-center.md, "Changing and taking back").
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.audit.service import record_event
from tsp_auth.business_centers import repository
from tsp_auth.business_centers.schemas import AdAccountAccessUpdate, BusinessCenterAssignmentUpdate
from tsp_auth.business_centers.service import admin_bc, note
from tsp_auth.identity.callers import Caller
from tsp_auth.kit.errors import NotFound
from tsp_auth.models import BcAdAccountAccess, BcAssignment


async def _assignment(session: AsyncSession, bc_id: str, assignment_id: str) -> BcAssignment:
    row = await repository.get_assignment(session, bc_id, assignment_id)
    if row is None:
        raise NotFound("no such assignment in this business center")
    return row


async def change_assignment(
    session: AsyncSession,
    caller: Caller,
    bc_id: str,
    assignment_id: str,
    data: BusinessCenterAssignmentUpdate,
) -> BcAssignment:
    """A new permission level for a member on a TikTok account (admins only)."""
    bc = await admin_bc(session, caller, bc_id, "bc_assignment.updated")
    row = await _assignment(session, bc.id, assignment_id)
    before = row.permission
    row.permission = data.permission
    await session.flush()
    detail = {"business_center_id": bc.id, "member_id": row.member_id}
    event = note(
        caller,
        "bc_assignment.updated",
        tiktok_account_id=row.tiktok_account_id,
        level_before=before,
        level=row.permission,
        **detail,
    )
    record_event(session, event)
    return row


async def remove_assignment(
    session: AsyncSession, caller: Caller, bc_id: str, assignment_id: str
) -> None:
    """The member loses the TikTok account: a standard member no longer sees it."""
    bc = await admin_bc(session, caller, bc_id, "bc_assignment.removed")
    row = await _assignment(session, bc.id, assignment_id)
    if not await repository.delete_assignment(session, row.id):
        raise NotFound("no such assignment in this business center")  # removed meanwhile
    event = note(
        caller,
        "bc_assignment.removed",
        business_center_id=bc.id,
        member_id=row.member_id,
        tiktok_account_id=row.tiktok_account_id,
        level=row.permission,
    )
    record_event(session, event)


async def _ad_access(session: AsyncSession, bc_id: str, access_id: str) -> BcAdAccountAccess:
    row = await repository.get_ad_account_access(session, bc_id, access_id)
    if row is None:
        raise NotFound("no such ad-account role in this business center")
    return row


async def change_ad_account_access(
    session: AsyncSession,
    caller: Caller,
    bc_id: str,
    access_id: str,
    data: AdAccountAccessUpdate,
) -> BcAdAccountAccess:
    """A new role for a member on an ad account (admins only)."""
    bc = await admin_bc(session, caller, bc_id, "bc_ad_account_access.updated")
    row = await _ad_access(session, bc.id, access_id)
    before = row.role
    row.role = data.role
    await session.flush()
    event = note(
        caller,
        "bc_ad_account_access.updated",
        business_center_id=bc.id,
        member_id=row.member_id,
        ad_account_id=row.ad_account_id,
        role_before=before,
        role=row.role,
    )
    record_event(session, event)
    return row


async def remove_ad_account_access(
    session: AsyncSession, caller: Caller, bc_id: str, access_id: str
) -> None:
    """The member loses its role on the ad account: "pull video" refuses from the next call."""
    bc = await admin_bc(session, caller, bc_id, "bc_ad_account_access.removed")
    row = await _ad_access(session, bc.id, access_id)
    if not await repository.delete_ad_account_access(session, row.id):
        raise NotFound("no such ad-account role in this business center")
    event = note(
        caller,
        "bc_ad_account_access.removed",
        business_center_id=bc.id,
        member_id=row.member_id,
        ad_account_id=row.ad_account_id,
        role=row.role,
    )
    record_event(session, event)
