"""Seed 003 step 2 and "User Roles & Access": assigning members to TikTok accounts, who sees
which account, and a member's effective permissions (Business Center access plus account linkage).

Everything is read fresh from the database on each call, so a cancelled grant stops counting
on the very next request (DESIGN §2).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.audit.service import record_event
from tsp_auth.business_centers import catalogue, repository
from tsp_auth.business_centers.schemas import (
    BusinessCenterAssignmentCreate,
    EffectivePermissions,
    PermissionSource,
    TikTokAccountRead,
)
from tsp_auth.business_centers.service import BC_ADMIN_REQUIRED, admin_bc, denied, note, visible_bc
from tsp_auth.clock import now
from tsp_auth.db import rows
from tsp_auth.identity.callers import Caller
from tsp_auth.kit.errors import Conflict, Forbidden, NotFound
from tsp_auth.models import Account, BcAssignment, Grant
from tsp_auth.models.base import new_id
from tsp_auth.policy import Reason


async def member_of(session: AsyncSession, bc_id: str, account_id: str) -> Account:
    account = await repository.get_account(session, account_id)
    if account is None or account.kind != "business_center" or account.business_center_id != bc_id:
        raise NotFound("no such member of this business center", error=Reason.UNKNOWN_MEMBER)
    return account


async def _bc_grant(session: AsyncSession, bc_id: str, tiktok_account_id: str) -> Grant:
    grant = await repository.active_grant(session, tiktok_account_id, bc_id)
    if grant is None:
        # Not an account this business center has access to: it does not exist for it.
        raise NotFound("no TikTok account with access for this business center")
    return grant


async def assign(
    session: AsyncSession, caller: Caller, bc_id: str, data: BusinessCenterAssignmentCreate
) -> BcAssignment:
    """Seed 003: "select the level of permission to the TikTok account" (admins only)."""
    bc = await admin_bc(session, caller, bc_id, "bc_assignment.created")
    await member_of(session, bc.id, data.member_id)
    grant = await _bc_grant(session, bc.id, data.tiktok_account_id)
    row = BcAssignment(
        id=new_id("bca"),
        business_center_id=bc.id,
        member_id=data.member_id,
        tiktok_account_id=data.tiktok_account_id,
        permission=data.permission,
        created_at=now(),
    )
    try:
        await rows.add_in_savepoint(session, row)
    except IntegrityError:
        raise Conflict(
            "the member is already assigned to this TikTok account", error=Reason.ALREADY_ASSIGNED
        ) from None
    detail = {"business_center_id": bc.id, "member_id": row.member_id, "level": row.permission}
    record_event(session, note(caller, "bc_assignment.created", grant.id, **detail))
    return row


async def tiktok_accounts(
    session: AsyncSession, caller: Caller, bc_id: str
) -> Sequence[TikTokAccountRead]:
    """Seed 003: admins view every authorized TikTok account; standard members "only the TikTok
    accounts assigned to them"."""
    bc = await visible_bc(session, caller, bc_id)
    sees_all = caller.is_operator or caller.is_bc_admin
    rows = await repository.active_grants_of_bc(
        session, bc.id, None if sees_all else caller.account_id
    )
    mine = await repository.assignments_of(session, bc.id, caller.account_id)
    return [
        TikTokAccountRead(
            tiktok_account_id=account.id,
            name=account.name,
            grant_id=grant.id,
            scopes=sorted(grant.scopes),
            grant_version=grant.version,
            authorized_at=grant.created_at,
            permission=mine.get(account.id),
        )
        for grant, account in rows
    ]


async def _permissions(
    session: AsyncSession, member: Account, tiktok_account_id: str
) -> EffectivePermissions:
    sources: list[PermissionSource] = []
    bc_scopes: frozenset[str] | None = None
    level = None
    if member.business_center_id is not None:
        bc_id = member.business_center_id
        assigned = await repository.assignment(session, bc_id, member.id, tiktok_account_id)
        grant = await repository.active_grant(session, tiktok_account_id, bc_id)
        if assigned is not None and grant is not None:
            bc_scopes, level = grant.scopes, assigned.permission
            sources.append(
                PermissionSource(
                    source="business_center",
                    permissions=sorted(bc_scopes),
                    grant_id=grant.id,
                    level=level,
                )
            )
    linkage = await repository.linkage(session, tiktok_account_id, member.id)
    if linkage is not None:
        sources.append(
            PermissionSource(source="account_linkage", permissions=sorted(linkage.permissions))
        )
    union = catalogue.effective_permissions(bc_scopes, linkage.permissions if linkage else None)
    return EffectivePermissions(
        member_id=member.id,
        tiktok_account_id=tiktok_account_id,
        permissions=sorted(union),
        level=level,
        sources=sources,
    )


async def member_permissions(
    session: AsyncSession, caller: Caller, bc_id: str, tiktok_account_id: str, member_id: str | None
) -> EffectivePermissions:
    """A member's effective permissions on a TikTok account the business center holds.
    Admins ask about any member; a standard member about itself only."""
    bc = await visible_bc(session, caller, bc_id)
    member_id = member_id or caller.account_id
    if member_id != caller.account_id and not (caller.is_bc_admin or caller.is_operator):
        refusal = Forbidden(
            "only a Business Center admin may look at other members", error=BC_ADMIN_REQUIRED
        )
        raise denied(refusal, caller, "bc_permissions.read", business_center_id=bc.id)
    member = await member_of(session, bc.id, member_id)
    await _bc_grant(session, bc.id, tiktok_account_id)
    return await _permissions(session, member, tiktok_account_id)


async def my_permissions(
    session: AsyncSession, caller: Caller, tiktok_account_id: str
) -> EffectivePermissions:
    """The signed-in TikTok For Business user's own permissions on a TikTok account, from its
    business center and its own linkage (seed 003 scenarios); 404 when it has none at all."""
    account = await repository.get_account(session, caller.account_id)
    if account is None or account.kind != "business_center":
        raise NotFound("no permissions on this TikTok account")
    found = await _permissions(session, account, tiktok_account_id)
    if not found.sources:
        raise NotFound("no permissions on this TikTok account")
    return found
