"""seed 004 "Cancel authorization": "My account > My authorizations" lists the apps a partner
authorized, and its admin cancels one. A cancel ends the grant and revokes every token family
minted from it, so the app's access and refresh tokens stop working on their next use.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.audit.refusals import audit_refusals
from tsp_auth.audit.service import Actor
from tsp_auth.clock import now
from tsp_auth.grants.app_authorizations import end_app_authorizations
from tsp_auth.grants.engine import end_grant
from tsp_auth.identity.callers import Caller
from tsp_auth.kit.errors import Conflict, Forbidden, NotFound
from tsp_auth.models import Client, Grant, Partner
from tsp_auth.partner_apps import repository
from tsp_auth.partner_apps.rules import check_partner_account, check_partner_admin
from tsp_auth.policy import Decision, GrantStatus, Reason

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
    ended = await end_app_authorizations(
        session,
        cancel,
        actor=actor,
        at=at,
        event="app_authorization.cancelled",
        families_reason="authorization_cancelled",
    )
    if not ended:
        raise Conflict("this authorization is no longer active", error=Reason.GRANT_NOT_ACTIVE)
    ((current, client, owner),) = await repository.authorizations(session, partner_id, grant_id)
    return AppAuthorization(current, client, owner)
