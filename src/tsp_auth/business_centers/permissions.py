"""Seed 003 permission levels, enforced: members' roles on ad accounts, and the decision
"may this member do X with this TikTok account?" (rules: ``policy.business_center``).

Everything is read fresh on each call, so a cancelled grant or a removed assignment counts on
the very next decision (DESIGN §2).
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.audit.service import record_event
from tsp_auth.business_centers import repository
from tsp_auth.business_centers.members import member_of
from tsp_auth.business_centers.schemas import (
    AdAccountAccessCreate,
    BcDecision,
    BcDecisionRequest,
)
from tsp_auth.business_centers.service import BC_ADMIN_REQUIRED, admin_bc, denied, note, visible_bc
from tsp_auth.clock import now
from tsp_auth.db import rows
from tsp_auth.identity.callers import Caller
from tsp_auth.kit.errors import Conflict, Forbidden
from tsp_auth.models import BcAdAccountAccess
from tsp_auth.models.base import new_id
from tsp_auth.policy import BcMemberFacts, Reason, decide_bc_action


async def give_ad_account_access(
    session: AsyncSession, caller: Caller, bc_id: str, data: AdAccountAccessCreate
) -> BcAdAccountAccess:
    """A BC admin records a member's role on one of the BC's ad accounts."""
    bc = await admin_bc(session, caller, bc_id, "bc_ad_account_access.created")
    await member_of(session, bc.id, data.member_id)
    row = BcAdAccountAccess(
        id=new_id("bad"),
        business_center_id=bc.id,
        ad_account_id=data.ad_account_id,
        member_id=data.member_id,
        role=data.role,
        created_at=now(),
    )
    try:
        await rows.add_in_savepoint(session, row)
    except IntegrityError:
        raise Conflict(
            "the member already has a role on this ad account", error=Reason.ALREADY_ASSIGNED
        ) from None
    detail = {"business_center_id": bc.id, "member_id": row.member_id, "role": row.role}
    record_event(session, note(caller, "bc_ad_account_access.created", **detail))
    return row


async def decide(
    session: AsyncSession, caller: Caller, bc_id: str, data: BcDecisionRequest
) -> BcDecision:
    """A member asks about itself; an admin may ask about any member of its business center."""
    bc = await visible_bc(session, caller, bc_id)
    member_id = data.member_id or caller.account_id
    if member_id != caller.account_id and not caller.is_bc_admin:
        refusal = Forbidden(
            "only a Business Center admin may ask about other members", error=BC_ADMIN_REQUIRED
        )
        raise denied(refusal, caller, "bc_decision.asked", business_center_id=bc.id)
    member = await member_of(session, bc.id, member_id)
    grant = await repository.active_grant(session, data.tiktok_account_id, bc.id)
    assigned = await repository.assignment(session, bc.id, member.id, data.tiktok_account_id)
    ad_role = None
    if data.ad_account_id is not None:
        ad_role = await repository.ad_account_role(session, bc.id, member.id, data.ad_account_id)
    facts = BcMemberFacts(
        is_admin=member.role == "admin",
        grant_scopes=None if grant is None else grant.scopes,
        level=None if assigned is None else assigned.permission,
        ad_account_named=data.ad_account_id is not None,
        ad_account_role=ad_role,
    )
    decision = decide_bc_action(data.action, facts)
    return BcDecision(
        allow=decision.allow,
        reason=decision.reason,
        member_id=member.id,
        level=facts.level,
        ad_account_role=ad_role,
    )
