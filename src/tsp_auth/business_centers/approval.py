"""The TikTok account owner's side: approve or reject a QR request, cancel an authorization.

Seed 003: "the owner of the TikTok account will need to scan the QR code and give TikTok For
Business authorization to the account"; "Authorization will not expire unless canceled by the
TikTok account owner or Business Center admin". An approval makes one grant of kind
``business_center`` (DESIGN §1): grantor the TikTok account, grantee the business center,
scopes from the catalogue, no expiry.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.audit.service import record_event
from tsp_auth.business_centers import catalogue, repository
from tsp_auth.business_centers.schemas import AccessOffer, ContentPermission
from tsp_auth.business_centers.service import (
    actor,
    admin_bc,
    denied,
    effective_request_status,
    note,
)
from tsp_auth.clock import now
from tsp_auth.grants.engine import create_grant, end_grant, reduce_access, widen_grant
from tsp_auth.grants.terms import NewGrant
from tsp_auth.identity.callers import Caller
from tsp_auth.kit.errors import AppError, Conflict, Forbidden, Gone, NotFound
from tsp_auth.models import BcAccessRequest, Grant
from tsp_auth.oauth.opaque import digest
from tsp_auth.policy import GrantStatus, Reason


@dataclass(frozen=True, slots=True)
class Decision:
    status: str  # approved | rejected
    request: BcAccessRequest
    grant: Grant | None


def require_tiktok_account(caller: Caller, action: str) -> None:
    if caller.kind != "tiktok":
        refusal = Forbidden(
            "only the owner of a TikTok account, signed in as it, may answer this request",
            error=Reason.TIKTOK_ACCOUNT_REQUIRED,
        )
        raise denied(refusal, caller, action)


def _unusable(row: BcAccessRequest | None) -> AppError:
    """Why a token no longer redeems: unknown (404), expired or already used (410)."""
    if row is None:
        return NotFound("no such access request")
    if effective_request_status(row) == "expired":
        return Gone("this QR code has expired; ask for a new one", error=Reason.REQUEST_EXPIRED)
    if row.status == "withdrawn":
        return Gone("the Business Center withdrew this request", error=Reason.REQUEST_WITHDRAWN)
    return Gone("this QR code was already used", error=Reason.REQUEST_ALREADY_DECIDED)


async def offer(session: AsyncSession, caller: Caller, token: str) -> AccessOffer:
    """What the owner is asked to approve; only while the token is still good."""
    require_tiktok_account(caller, "bc_access.viewed")
    row = await repository.request_by_token(session, digest(token))
    if row is None or effective_request_status(row) != "pending":
        raise _unusable(row)
    bc = await repository.get_business_center(session, row.business_center_id)
    assert bc is not None  # foreign key
    spec = catalogue.ACCESS_SCOPES[row.scope]
    return AccessOffer(
        request_id=row.id,
        business_center_id=bc.id,
        business_center_name=bc.name,
        scope=spec.code,
        scope_label=spec.label,
        permissions=[
            ContentPermission(code=c, label=catalogue.CONTENT_LABELS[c])
            for c in sorted(spec.grants)
        ],
        expires_at=row.expires_at,
    )


async def _redeem(
    session: AsyncSession, caller: Caller, token: str, status: str, action: str
) -> BcAccessRequest:
    require_tiktok_account(caller, action)
    token_hash = digest(token)
    row = await repository.redeem(
        session, token_hash, status=status, tiktok_account_id=caller.account_id, at=now()
    )
    if row is None:
        refusal = _unusable(await repository.request_by_token(session, token_hash))
        raise denied(refusal, caller, action)
    return row


async def approve(session: AsyncSession, caller: Caller, token: str) -> Decision:
    """Redeem the token once, then create (or widen) the pair's one active grant."""
    row = await _redeem(session, caller, token, "approved", "bc_access.approved")
    scopes = catalogue.scope_grants(row.scope)
    current = await repository.active_grant(session, caller.account_id, row.business_center_id)
    if current is None:
        grant = await _create_grant(session, caller, row.business_center_id, scopes)
        action = "grant.created"
    else:
        # A second scope for an account the BC already holds: one grant, wider (version + 1).
        widened = await widen_grant(session, current, scopes, now())
        if widened is None:
            raise Conflict("the authorization changed meanwhile; retry", error=Reason.GRANT_CHANGED)
        grant, action = widened, "grant.updated"
    row.grant_id = grant.id
    await session.flush()
    detail = {"business_center_id": row.business_center_id, "request_id": row.id}
    record_event(session, note(caller, "bc_access.approved", grant.id, **detail))
    record_event(session, note(caller, action, grant.id, **detail))
    return Decision("approved", row, grant)


async def _create_grant(
    session: AsyncSession, caller: Caller, bc_id: str, scopes: frozenset[str]
) -> Grant:
    new = NewGrant(
        kind=repository.BUSINESS_CENTER,
        grantor_id=caller.account_id,
        grantee_id=bc_id,
        consented_by=caller.account_id,
        scopes=scopes,
        # seed 003: "Authorization will not expire unless canceled": no duration, no expiry.
    )
    grant = await create_grant(session, new, now())
    if grant is None:
        # uq_grants_one_active_business_center: another approval of this pair won the race.
        raise Conflict(
            "this TikTok account is being authorized for this business center; retry",
            error=Reason.GRANT_CHANGED,
        )
    return grant


async def _reread(session: AsyncSession, grant_id: str) -> Grant:
    grant = await repository.get_grant(session, grant_id)
    assert grant is not None
    return grant


async def reject(session: AsyncSession, caller: Caller, token: str) -> Decision:
    row = await _redeem(session, caller, token, "rejected", "bc_access.rejected")
    detail = {"business_center_id": row.business_center_id, "request_id": row.id}
    record_event(session, note(caller, "bc_access.rejected", **detail))
    return Decision("rejected", row, None)


async def _cancel(session: AsyncSession, caller: Caller, grant: Grant, reason: str) -> Grant:
    cancel = end_grant(grant.id, GrantStatus.CANCELLED, reason)
    detail = {
        "reason": reason,
        "business_center_id": grant.grantee_id,
        "tiktok_account_id": grant.grantor_id,
    }
    if not await reduce_access(session, cancel, actor=actor(caller), at=now(), detail=detail):
        refusal = Conflict("the authorization is no longer active", error=Reason.GRANT_NOT_ACTIVE)
        raise denied(refusal, caller, "grant.cancelled", grant_id=grant.id)
    # Assignments end with the access they were a part of (docs/business-center.md).
    await repository.remove_assignments(session, grant.grantee_id, grant.grantor_id)
    return await _reread(session, grant.id)


async def cancel_by_owner(session: AsyncSession, caller: Caller, grant_id: str) -> Grant:
    grant = await repository.get_grant(session, grant_id)
    if grant is None or caller.kind != "tiktok" or grant.grantor_id != caller.account_id:
        raise NotFound("no such authorization")
    return await _cancel(session, caller, grant, "owner_cancelled")


async def cancel_by_admin(
    session: AsyncSession, caller: Caller, bc_id: str, grant_id: str
) -> Grant:
    bc = await admin_bc(session, caller, bc_id, "grant.cancelled")
    grant = await repository.get_grant(session, grant_id)
    if grant is None or grant.grantee_id != bc.id:
        raise NotFound("no such authorization")
    return await _cancel(session, caller, grant, "business_center_cancelled")
