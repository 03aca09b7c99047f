"""One-click login (seed 000 step 2): a partner account asks for a login token for a seller.

The service checks the grant, the market, the service's validity and the member's assignment
(each refusal a policy reason code, written to the audit trail), then mints a single-use login
token for the seller console of the seller's market. Switching to another seller is the same
call for another ``seller_id``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth import urls
from tsp_auth.assignments import repository as assignments
from tsp_auth.audit.service import AuditNote, record_event
from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.errors import BadRequest, Forbidden, NotFound
from tsp_auth.grants.service import facts_of
from tsp_auth.identity.callers import Caller
from tsp_auth.identity.guards import require_partner_account
from tsp_auth.keys.service import KeyRing
from tsp_auth.models import Grant, LoginToken
from tsp_auth.policy import (
    Decision,
    GrantFacts,
    Reason,
    check_active,
    check_assignment,
    effective_roles,
    link_region,
)
from tsp_auth.tsp_access import repository
from tsp_auth.tsp_access.checks import check_member_login
from tsp_auth.tsp_access.metrics import count_login_token_on_commit
from tsp_auth.tsp_access.schemas import Actor, LoginRequest, LoginTokenIssued
from tsp_auth.tsp_access.tokens import LOGIN_TOKEN_TYP, Act, LoginClaims, new_jti

LOGIN_TOKEN_MINTED = "login_token.minted"  # noqa: S105 (an audit action)


@dataclass(frozen=True, slots=True)
class Candidate:
    grant: Grant
    facts: GrantFacts
    decision: Decision


async def assigned_roles(
    session: AsyncSession, caller: Caller, seller_id: str, note: AuditNote
) -> frozenset[str] | None:
    """The roles an assignment gives the caller for this seller; None: no narrowing (admins,
    unrestricted assignments). An unassigned member is refused (DESIGN §2)."""
    admin = caller.is_partner_admin
    found = (
        None
        if admin
        else await assignments.for_member_seller(session, caller.account_id, seller_id)
    )
    decision = check_assignment(is_admin=admin, is_assigned=found is not None)
    if not decision.allow:
        raise Forbidden("you are not assigned to this seller", error=decision.reason).audited(note)
    return None if found is None else found.roles


def choose_grant(
    rows: Sequence[tuple[Grant, bool]],
    roles: frozenset[str] | None,
    at: datetime,
    *,
    sea_launch: date | None,
    note: AuditNote,
) -> Candidate:
    """The one grant that allows this login; refuse with the most telling reason otherwise."""
    judged = []
    for grant, valid in rows:
        facts = facts_of(grant, valid)
        decision = check_member_login(facts, roles, at, sea_launch=sea_launch)
        judged.append(Candidate(grant, facts, decision))
    allowed = [c for c in judged if c.decision.allow]
    if len(allowed) > 1:
        services = ", ".join(sorted(str(c.grant.service_id) for c in allowed))
        raise BadRequest(
            f"several grants allow login; name one service_id of: {services}",
            error=Reason.SERVICE_ID_REQUIRED,
        )
    if allowed:
        return allowed[0]
    # A grant in force explains best (a missing item, role or market); else the newest one.
    in_force = [c for c in judged if check_active(c.facts.status, c.facts.expires_at, at).allow]
    best = (in_force or judged)[0]
    reason = best.decision.reason
    raise Forbidden(f"login refused: {reason}", error=reason).audited(
        dataclasses.replace(note, grant_id=best.grant.id)
    )


async def issue_login_token(
    session: AsyncSession, settings: Settings, keyring: KeyRing, caller: Caller, data: LoginRequest
) -> LoginTokenIssued:
    """DESIGN §3 "TSP Access login": check, then mint a login token for the seller console."""
    at = now()
    partner_id = require_partner_account(caller, to="log into a seller's console")
    note = AuditNote(
        action=LOGIN_TOKEN_MINTED,
        actor_id=caller.account_id,
        on_behalf_of=data.seller_id,
        partner_id=partner_id,
        seller_id=data.seller_id,
        detail={"service_id": data.service_id},
    )
    rows = await repository.login_candidates(session, partner_id, data.seller_id, data.service_id)
    if not rows:
        # A seller (or service) this partner holds no grant of does not exist for it.
        raise NotFound("no grant of this seller to your partner")
    roles = await assigned_roles(session, caller, data.seller_id, note)
    chosen = choose_grant(rows, roles, at, sea_launch=settings.sea_launch_date, note=note)
    claims = LoginClaims(
        jti=new_jti(),
        seller_id=data.seller_id,
        actor=Act(sub=caller.account_id, partner=partner_id),
        roles=effective_roles(chosen.facts.roles, roles),
        grant_id=chosen.grant.id,
        grant_version=chosen.grant.version,
        browser_profile=data.browser_profile,
    )
    region = link_region(chosen.facts.market)
    token = await _mint(session, settings, keyring, claims, region, at)
    record_event(
        session,
        dataclasses.replace(
            note,
            grant_id=chosen.grant.id,
            detail={
                "jti": claims.jti,
                "service_id": chosen.grant.service_id,
                "roles": sorted(claims.roles),
                "browser_profile": data.browser_profile,
            },
        ),
    )
    return LoginTokenIssued(
        login_token=token,
        login_url=urls.console_login_url(settings, region),
        expires_in=int(settings.login_token_ttl.total_seconds()),
        seller_id=claims.seller_id,
        grant_id=claims.grant_id,
        roles=sorted(claims.roles),
        act=Actor(sub=claims.actor.sub, partner=claims.actor.partner),
    )


async def _mint(
    session: AsyncSession,
    settings: Settings,
    keyring: KeyRing,
    claims: LoginClaims,
    region: str,
    at: datetime,
) -> str:
    """Sign the token and store its single-use row, expiring exactly when its ``exp`` does."""
    ttl = settings.login_token_ttl
    token = await keyring.encode(
        session,
        claims.to_jwt(),
        typ=LOGIN_TOKEN_TYP,
        audience=urls.console_audience(settings, region),
        lifetime=ttl,
        now=at,
    )
    exp = datetime.fromtimestamp(int(at.timestamp()) + int(ttl.total_seconds()), UTC)
    row = LoginToken(
        jti=claims.jti,
        grant_id=claims.grant_id,
        grant_version=claims.grant_version,
        member_id=claims.actor.sub,
        partner_id=claims.actor.partner,
        seller_id=claims.seller_id,
        roles=claims.roles,
        created_at=at,
        expires_at=exp,
        redeemed_at=None,
    )
    # Written with the audit event at the request's commit: one flush for both rows.
    session.add(row)
    count_login_token_on_commit(session, "minted")
    return token
