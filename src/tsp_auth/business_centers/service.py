"""Business centers, their members and their access requests (seed 003 step 1).

Seed 003 "User Roles & Access": only a Business Center admin requests TikTok account access
and gives members permission; standard members see only what is assigned to them. Another
business center's objects do not exist for the caller (404).
"""

from __future__ import annotations

from typing import Literal, cast

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.audit.service import Actor, record_event
from tsp_auth.business_centers import catalogue, qr, repository
from tsp_auth.business_centers.schemas import (
    AccessRequestCreated,
    AccessRequestRead,
    BusinessCenterCreate,
    LinkageCreate,
)
from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.db import rows
from tsp_auth.identity.callers import Caller
from tsp_auth.identity.guards import require_operator
from tsp_auth.kit import urls
from tsp_auth.kit.audit_note import AuditNote
from tsp_auth.kit.errors import AppError, Conflict, Forbidden, Gone, NotFound
from tsp_auth.models import Account, AccountLinkage, BcAccessRequest, BusinessCenter
from tsp_auth.models.base import new_id
from tsp_auth.oauth.opaque import digest, new_opaque
from tsp_auth.policy import Reason
from tsp_auth.registry.schemas import AccountCreate, MemberCreate

BC_ADMIN_REQUIRED = Reason.BC_ADMIN_REQUIRED
RequestStatus = Literal["pending", "approved", "rejected", "expired", "withdrawn"]


def actor(caller: Caller) -> Actor:
    """A BC account acts for its business center; a TikTok account owner for itself."""
    behalf = caller.business_center_id if caller.kind == "business_center" else None
    return Actor(account_id=caller.account_id, on_behalf_of=behalf)


def denied(exc: AppError, caller: Caller, action: str, **detail: str) -> AppError:
    """``exc``, marked for the audit trail (written after the rollback)."""
    return exc.audited(actor(caller).note(action, detail=dict(detail)))


def note(caller: Caller, action: str, grant_id: str | None = None, **detail: str) -> AuditNote:
    return actor(caller).note(action, grant_id=grant_id, detail=dict(detail))


def _account(data: AccountCreate, role: str, bc_id: str) -> Account:
    return Account(
        id=new_id("acc"),
        kind="business_center",
        role=role,
        name=data.name,
        email=data.email,
        business_center_id=bc_id,
        created_at=now(),
    )


async def create_business_center(
    session: AsyncSession, caller: Caller, data: BusinessCenterCreate
) -> tuple[BusinessCenter, Account]:
    require_operator(caller)
    bc = BusinessCenter(id=new_id("bc"), name=data.name, created_at=now())
    await rows.add(session, bc)
    admin = _account(data.admin, "admin", bc.id)
    await rows.add(session, admin)
    record_event(session, note(caller, "business_center.created", business_center_id=bc.id))
    return bc, admin


async def visible_bc(session: AsyncSession, caller: Caller, bc_id: str) -> BusinessCenter:
    """Operators see every business center, its own accounts see it; others get 404."""
    bc = await repository.get_business_center(session, bc_id)
    if bc is None or not (caller.is_operator or caller.business_center_id == bc.id):
        raise NotFound("no such business center")
    return bc


async def admin_bc(
    session: AsyncSession, caller: Caller, bc_id: str, action: str, *, operator: bool = False
) -> BusinessCenter:
    """The business center, if ``caller`` is one of its admins (or, if allowed, an operator)."""
    bc = await visible_bc(session, caller, bc_id)
    if not (caller.is_bc_admin or (operator and caller.is_operator)):
        refusal = Forbidden("only a Business Center admin may do this", error=BC_ADMIN_REQUIRED)
        raise denied(refusal, caller, action, business_center_id=bc.id)
    return bc


async def add_member(
    session: AsyncSession, caller: Caller, bc_id: str, data: MemberCreate
) -> Account:
    bc = await admin_bc(session, caller, bc_id, "business_center.member_added", operator=True)
    account = _account(data, data.role, bc.id)
    await rows.add(session, account)
    record_event(session, note(caller, "business_center.member_added", business_center_id=bc.id))
    return account


async def request_access(
    session: AsyncSession, settings: Settings, caller: Caller, bc_id: str, scope: str
) -> AccessRequestCreated:
    """Seed 003 step 1: "Select the scope of access … Click Generate QR code"."""
    bc = await admin_bc(session, caller, bc_id, "bc_access.requested")
    at = now()
    token = new_opaque()
    row = BcAccessRequest(
        id=new_id("bcr"),
        business_center_id=bc.id,
        requested_by=caller.account_id,
        scope=scope,
        status="pending",
        token_hash=digest(token),
        token_encrypted=qr.seal(settings, token),
        created_at=at,
        expires_at=at + catalogue.ACCESS_REQUEST_TTL,
    )
    await rows.add(session, row)
    record_event(
        session,
        note(caller, "bc_access.requested", business_center_id=bc.id, request_id=row.id),
    )
    return AccessRequestCreated(
        request_id=row.id,
        scope=scope,
        link=urls.bc_authorize_link(settings, token),
        qr_png_url=urls.bc_qr_url(settings, bc.id, row.id),
        card_url=urls.bc_card_url(settings, bc.id, row.id),
        expires_at=row.expires_at,
    )


def gone(status: str) -> str:
    """The error code of a request whose QR code no longer works, by its status."""
    return {"expired": "request_expired", "withdrawn": "request_withdrawn"}.get(
        status, "request_already_decided"
    )


def effective_request_status(row: BcAccessRequest) -> RequestStatus:
    if row.status == "pending" and row.expires_at <= now():
        return "expired"
    return cast(RequestStatus, row.status)


async def admin_request(
    session: AsyncSession, caller: Caller, bc_id: str, request_id: str, action: str
) -> BcAccessRequest:
    bc = await admin_bc(session, caller, bc_id, action)
    row = await repository.get_request(session, request_id)
    if row is None or row.business_center_id != bc.id:
        raise NotFound("no such access request")
    return row


def request_read(row: BcAccessRequest) -> AccessRequestRead:
    return AccessRequestRead(
        id=row.id,
        business_center_id=row.business_center_id,
        scope=row.scope,
        status=effective_request_status(row),
        tiktok_account_id=row.tiktok_account_id,
        grant_id=row.grant_id,
        created_at=row.created_at,
        expires_at=row.expires_at,
        decided_at=row.decided_at,
    )


async def read_request(
    session: AsyncSession, caller: Caller, bc_id: str, request_id: str
) -> AccessRequestRead:
    return request_read(await admin_request(session, caller, bc_id, request_id, "bc_access.read"))


async def request_qr(
    session: AsyncSession, settings: Settings, caller: Caller, bc_id: str, request_id: str
) -> bytes:
    """The QR card, drawn again from the sealed token: only while the request is pending."""
    row = await admin_request(session, caller, bc_id, request_id, "bc_access.qr")
    status = effective_request_status(row)
    if status != "pending" or row.token_encrypted is None:
        raise Gone(f"the access request is {status}; generate a new QR code", error=gone(status))
    token = qr.unseal(settings, row.token_encrypted)
    return qr.qr_png(urls.bc_authorize_link(settings, token))


async def link_accounts(
    session: AsyncSession, caller: Caller, data: LinkageCreate
) -> AccountLinkage:
    """Record a TikTok account linked to a TikTok For Business user (the platform's fact)."""
    require_operator(caller)
    tiktok = await repository.get_account(session, data.tiktok_account_id)
    user = await repository.get_account(session, data.user_id)
    if tiktok is None or tiktok.kind != "tiktok":
        raise NotFound("no such TikTok account", error=Reason.UNKNOWN_TIKTOK_ACCOUNT)
    if user is None or user.kind != "business_center":
        raise NotFound("no such TikTok For Business user", error=Reason.UNKNOWN_USER)
    if await repository.linkage(session, tiktok.id, user.id) is not None:
        raise Conflict("these accounts are already linked", error=Reason.ALREADY_LINKED)
    row = AccountLinkage(
        id=new_id("lnk"),
        tiktok_account_id=tiktok.id,
        user_id=user.id,
        permissions=frozenset(data.permissions),
        created_at=now(),
    )
    await rows.add(session, row)
    record_event(session, note(caller, "account_linkage.created", tiktok_account_id=tiktok.id))
    return row
