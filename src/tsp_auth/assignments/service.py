"""Member assignment rules (DESIGN §2): a partner admin lets a member act for a seller, with all
or part of the grant's roles; admins see everything, members what is assigned to them."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.assignments import repository
from tsp_auth.assignments.schemas import AssignmentCreate, AssignmentList, AssignmentRead
from tsp_auth.audit.service import record_event
from tsp_auth.clock import now
from tsp_auth.db import rows
from tsp_auth.identity.callers import Caller
from tsp_auth.identity.guards import require_partner_account, require_partner_admin
from tsp_auth.kit.audit_note import AuditNote
from tsp_auth.kit.errors import BadRequest, Conflict, NotFound
from tsp_auth.kit.pagination import PageQuery, sequence_page
from tsp_auth.models import MemberAssignment
from tsp_auth.models.base import new_id
from tsp_auth.policy import ROLE_CODES, Reason
from tsp_auth.registry import repository as registry


def _roles(roles: list[str] | None) -> frozenset[str] | None:
    if roles is None:
        return None
    if not roles:
        raise BadRequest("assign at least one role, or null for all", error=Reason.ROLES_REQUIRED)
    unknown = sorted(set(roles) - ROLE_CODES)
    if unknown:
        raise BadRequest(f"unknown roles: {', '.join(unknown)}", error=Reason.UNKNOWN_ROLE)
    return frozenset(roles)


async def _check_member(session: AsyncSession, partner_id: str, member_id: str) -> None:
    member = await registry.get_account(session, member_id)
    if member is None or member.kind != "partner" or member.partner_id != partner_id:
        raise NotFound("no such member")  # another partner's account does not exist for you
    if member.role == "admin":
        # Admins act for every seller of the partner; an assignment would mean nothing.
        raise BadRequest("admins need no assignment", error=Reason.MEMBER_IS_ADMIN)


async def create_assignment(
    session: AsyncSession, caller: Caller, data: AssignmentCreate
) -> AssignmentRead:
    at = now()
    partner_id = require_partner_admin(caller, manages="assignments")
    roles = _roles(data.roles)
    await _check_member(session, partner_id, data.member_id)
    if not await repository.has_grant_in_force(session, partner_id, data.seller_id, at):
        raise NotFound("no seller with a grant to your partner")
    row = MemberAssignment(
        id=new_id("asg"),
        partner_id=partner_id,
        member_id=data.member_id,
        seller_id=data.seller_id,
        roles=roles,
        created_at=at,
    )
    try:
        await rows.add_in_savepoint(session, row)
    except IntegrityError:
        # uq_member_assignments_member_seller: one assignment per (member, seller).
        raise Conflict(
            "the member is already assigned to this seller; delete it to change it",
            error=Reason.ALREADY_ASSIGNED,
        ) from None
    record_event(session, _note("assignment.created", caller, row))
    return AssignmentRead.of(row)


def _note(action: str, caller: Caller, row: MemberAssignment) -> AuditNote:
    return AuditNote(
        action=action,
        actor_id=caller.account_id,
        partner_id=row.partner_id,
        seller_id=row.seller_id,
        detail={
            "assignment_id": row.id,
            "member_id": row.member_id,
            "roles": None if row.roles is None else sorted(row.roles),
        },
    )


async def list_assignments(
    session: AsyncSession, caller: Caller, page: PageQuery
) -> AssignmentList:
    """Admins: every assignment of the partner; members: their own."""
    partner_id = require_partner_account(caller, to="see member assignments")
    member_id = None if caller.is_partner_admin else caller.account_id
    rows = await repository.listed(session, partner_id=partner_id, member_id=member_id)
    read = [AssignmentRead.of(row) for row in rows]
    items, cursor = sequence_page(read, page, lambda a: (a.created_at, a.id))
    return AssignmentList(items=items, next_cursor=cursor)


async def delete_assignment(
    session: AsyncSession, caller: Caller, assignment_id: str
) -> MemberAssignment:
    """Remove an assignment; return it. Its member's console sessions for that seller end in
    the same transaction (``tsp_access.assignment_removal``, which calls this)."""
    partner_id = require_partner_admin(caller, manages="assignments")
    row = await repository.get(session, assignment_id)
    if row is None or row.partner_id != partner_id:
        raise NotFound("no such assignment")
    if not await repository.remove(session, row.id):
        raise NotFound("no such assignment")  # removed by a concurrent request
    record_event(session, _note("assignment.deleted", caller, row))
    return row
