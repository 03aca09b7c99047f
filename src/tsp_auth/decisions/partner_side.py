"""Partner-side decisions: may this partner member, or this partner app, do
``data_compass.<area>`` / ``ticket.create`` on seller S? (docs/data-access.md)

A data-only grant (US CB, other markets, a seller who skipped TSP access) has no console
session to ask through, so the partner's side asks: Partner Center on behalf of a signed-in
member (its identity token: assignments apply, as for login), or a partner API on behalf of a
partner app (its access token: the token's grant and scopes apply). The rule is
``policy.partner_side``; the facts come from the process's cache (``live.pair_state``,
``live.assignment_state``, the token state of introspection), which every change that ends or
narrows access invalidates on every process before it answers (docs/coherence.md).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.db.batched import Sessions
from tsp_auth.decisions.partner_schemas import (
    AppDecisionRead,
    AppDecisionRequest,
    MemberDecisionRead,
    MemberDecisionRequest,
)
from tsp_auth.identity.callers import Caller
from tsp_auth.keys.ring import KeyRing
from tsp_auth.kit.errors import Forbidden
from tsp_auth.live.assignment_state import member_assignment
from tsp_auth.live.grant_state import LiveGrant
from tsp_auth.live.in_force import check_minted_version
from tsp_auth.live.pair_state import cached_grant, pair_grants
from tsp_auth.models.grants import TSP_ACCESS
from tsp_auth.oauth.introspection import token_claims
from tsp_auth.policy import Decision, Reason, decide_for_app, decide_for_member


async def decide_member(
    sessionmaker: Sessions, caller: Caller, data: MemberDecisionRequest, *, sea_launch: date | None
) -> MemberDecisionRead:
    """The signed-in member's decision: its partner's grants from the seller, as assigned."""
    if caller.kind != "partner" or caller.partner_id is None:
        raise Forbidden(
            "a partner member's identity is required", error=Reason.PARTNER_ACCOUNT_REQUIRED
        )
    partner_id = caller.partner_id
    pair = await pair_grants(sessionmaker, data.seller_id, partner_id)
    admin = caller.is_partner_admin
    assigned = (
        None if admin else await member_assignment(sessionmaker, caller.account_id, data.seller_id)
    )
    answer = decide_for_member(
        [live.facts for live in pair.grants],
        data.action,
        now(),
        is_admin=admin,
        assigned=admin or (assigned is not None and assigned.assigned),
        assigned_roles=None if assigned is None else assigned.roles,
        sea_launch=sea_launch,
    )
    index = answer.grant_index
    return MemberDecisionRead(
        allow=answer.decision.allow,
        reason=answer.decision.reason,
        seller_id=data.seller_id,
        partner_id=partner_id,
        member_id=caller.account_id,
        grant_id=None if index is None else pair.grants[index].id,
    )


async def decide_app(
    sessionmaker: Sessions,
    keyring: KeyRing,
    settings: Settings,
    data: AppDecisionRequest,
) -> AppDecisionRead:
    """The app's decision: the grant its access token was minted from, and the token's scopes."""
    at = now()
    claims = await token_claims(sessionmaker, keyring, settings, data.token, at)
    if claims is None:
        return _app_answer(Decision.denied(Reason.INVALID_TOKEN), data, None, None)
    client_id = str(claims["client_id"])
    grant_id = claims.get("grant_id")
    live = None if grant_id is None else await cached_grant(sessionmaker, str(grant_id))
    decision = _app_decision(live, claims, data, at, settings.sea_launch_date)
    return _app_answer(decision, data, client_id, None if live is None else live.id)


def _app_decision(
    live: LiveGrant | None,
    claims: dict[str, Any],
    data: AppDecisionRequest,
    at: datetime,
    sea_launch: date | None,
) -> Decision:
    # Only a seller's consent to the app (a TSP access grant, sub = the seller) opens that
    # seller's data; a partner's own authorization of an app (seed 004) does not.
    if live is None or live.kind != TSP_ACCESS:
        return Decision.denied(Reason.SERVICE_NOT_AUTHORIZED)
    if live.grantor_id != data.seller_id:
        return Decision.denied(Reason.WRONG_SHOP)
    in_force = check_minted_version(live.facts, live.version, _minted_version(claims), at)
    if not in_force.allow:
        return in_force
    scopes = frozenset(str(claims.get("scope", "")).split())
    return decide_for_app(live.facts, scopes, data.action, at, sea_launch=sea_launch)


def _minted_version(claims: dict[str, Any]) -> int:
    version = claims.get("gv")
    return version if isinstance(version, int) else -1


def _app_answer(
    decision: Decision, data: AppDecisionRequest, client_id: str | None, grant_id: str | None
) -> AppDecisionRead:
    return AppDecisionRead(
        allow=decision.allow,
        reason=decision.reason,
        seller_id=data.seller_id,
        client_id=client_id,
        grant_id=grant_id,
    )
