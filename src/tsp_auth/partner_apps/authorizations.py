"""seed 004 "Cancel authorization": "My account > My authorizations" lists the apps a partner
authorized, and its admin cancels one. A cancel ends the grant and revokes every token family
minted from it, so the app's access and refresh tokens stop working on their next use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.audit.refusals import audit_refusals
from tsp_auth.audit.service import Actor, record_event
from tsp_auth.clock import now
from tsp_auth.grants.engine import end_grant, reduce_access
from tsp_auth.identity.callers import Caller
from tsp_auth.kit.errors import Conflict, Forbidden, NotFound
from tsp_auth.models import Client, Grant, Partner
from tsp_auth.partner_apps import repository
from tsp_auth.partner_apps.rules import check_partner_account, check_partner_admin
from tsp_auth.policy import Decision, GrantStatus, Reason
from tsp_auth.webhooks.outbox import emit

CANCELLED_REASON = "partner_cancelled"


@dataclass(frozen=True, slots=True)
class AppAuthorization:
    grant: Grant
    client: Client | None
    owner: Partner | None


def _require(decision: Decision) -> None:
    if not decision.allow:
        raise Forbidden("only a partner's admin may do this", error=decision.reason)


def _partner_of(caller: Caller) -> str:
    _require(check_partner_account(caller))
    assert caller.partner_id is not None
    return caller.partner_id


async def list_authorizations(session: AsyncSession, caller: Caller) -> list[AppAuthorization]:
    """Admins and members alike see what their partner authorized (newest first)."""
    rows = await repository.authorizations(session, _partner_of(caller))
    return [AppAuthorization(grant, client, owner) for grant, client, owner in rows]


def cancelled_payload(grant: Grant, client: Client | None, at: datetime) -> dict[str, object]:
    """The ``app_authorization.cancelled`` webhook data: who stopped authorizing which app."""
    return {
        "grant_id": grant.id,
        "client_id": grant.grantee_id,
        "app_name": client.name if client else None,
        "service_id": grant.service_id,
        "partner_id": grant.grantor_id,
        "scopes": sorted(grant.scopes),
        "status": grant.status,
        "status_reason": grant.status_reason,
        "version": grant.version,
        "cancelled_at": at.isoformat(),
    }


@audit_refusals("app_authorization.cancelled", "grant")
async def cancel_authorization(
    session: AsyncSession, caller: Caller, grant_id: str
) -> AppAuthorization:
    """The grantor's admin ends the authorization; another partner's does not exist (404)."""
    partner_id = _partner_of(caller)
    grant = await repository.grantor_grant(session, partner_id, grant_id)
    if grant is None:
        raise NotFound("no such authorization")
    _require(check_partner_admin(caller))
    at = now()
    actor = Actor.of(caller)
    # grant.cancelled (audit + webhook) to the grantor, like every grant change.
    cancel = end_grant(grant.id, GrantStatus.CANCELLED, CANCELLED_REASON)
    if not await reduce_access(session, cancel, actor=actor, at=at):
        raise Conflict("this authorization is no longer active", error=Reason.GRANT_NOT_ACTIVE)
    families = await repository.revoke_grant_families(
        session, grant.id, at, "authorization_cancelled"
    )
    ((current, client, owner),) = await repository.authorizations(session, partner_id, grant_id)
    await _tell_owner(session, actor, current, client, families, at)
    return AppAuthorization(current, client, owner)


async def _tell_owner(
    session: AsyncSession,
    actor: Actor,
    grant: Grant,
    client: Client | None,
    families: Sequence[str],
    at: datetime,
) -> None:
    """app_authorization.cancelled to the app owner: its app must stop calling at once."""
    owner_id = client.partner_id if client else None
    payload = cancelled_payload(grant, client, at)
    if owner_id is not None:
        await emit(session, "app_authorization.cancelled", owner_id, payload, at=at)
    detail = {k: v for k, v in payload.items() if k != "grant_id"}
    detail["token_families_revoked"] = len(families)
    record_event(
        session,
        actor.note(
            "app_authorization.cancelled", partner_id=owner_id, grant_id=grant.id, detail=detail
        ),
    )
