"""One-click login (seed 000 step 2): a partner account asks for a login token for a seller.

The service checks the grant, the market, the service's validity and the member's assignment
(each refusal a policy reason code, written to the audit trail), then mints a single-use login
token for the seller console of the seller's market. Switching to another seller is the same
call for another ``seller_id``.

Off the ORM and outside a unit of work (docs/performance.md): one Core read of the candidate
grants with the member's assignment (``live/login_candidates.py``), one Core write of the login
token's row with its audit event, all or nothing (login_token_repository.py). No ORM object is
built or flushed. On PostgreSQL both run on the driver, and concurrent logins share them: the
reads coalesced, the writes group-committed (docs/performance.md, "Session 5").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.audit.service import success_row
from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.identity.callers import Caller
from tsp_auth.identity.guards import require_partner_account
from tsp_auth.keys.ring import KeyRing
from tsp_auth.kit import urls
from tsp_auth.kit.audit_note import AuditNote
from tsp_auth.kit.errors import BadRequest, Forbidden, NotFound
from tsp_auth.live.login_candidates import LoginCandidate, login_candidate_rows
from tsp_auth.observability.metrics import LOGIN_TOKENS
from tsp_auth.policy import (
    Decision,
    Reason,
    check_active,
    check_assignment,
    check_member_login,
    effective_roles,
    link_region,
)
from tsp_auth.tsp_access.login_token_repository import insert_login_token
from tsp_auth.tsp_access.schemas import Actor, LoginRequest, LoginTokenIssued
from tsp_auth.tsp_access.tokens import LOGIN_TOKEN_TYP, Act, LoginClaims, new_jti

LOGIN_TOKEN_MINTED = "login_token.minted"  # noqa: S105 (an audit action)
Sessions = async_sessionmaker[AsyncSession]


@dataclass(frozen=True, slots=True)
class Candidate:
    grant: LoginCandidate
    decision: Decision


def assigned_roles(
    caller: Caller, candidate: LoginCandidate, note: AuditNote
) -> frozenset[str] | None:
    """The roles an assignment gives the caller for this seller; None: no narrowing (admins,
    unrestricted assignments). An unassigned member is refused (DESIGN §2)."""
    admin = caller.is_partner_admin
    decision = check_assignment(is_admin=admin, is_assigned=admin or candidate.assigned)
    if not decision.allow:
        raise Forbidden("you are not assigned to this seller", error=decision.reason).audited(note)
    return None if admin else candidate.assigned_roles


def choose_grant(
    rows: Sequence[LoginCandidate],
    roles: frozenset[str] | None,
    at: datetime,
    *,
    sea_launch: date | None,
    note: AuditNote,
) -> Candidate:
    """The one grant that allows this login; refuse with the most telling reason otherwise."""
    judged = [
        Candidate(row, check_member_login(row.facts, roles, at, sea_launch=sea_launch))
        for row in rows
    ]
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
    in_force = [
        c for c in judged if check_active(c.grant.facts.status, c.grant.facts.expires_at, at).allow
    ]
    best = (in_force or judged)[0]
    reason = best.decision.reason
    raise Forbidden(f"login refused: {reason}", error=reason).audited(
        dataclasses.replace(note, grant_id=best.grant.grant_id)
    )


async def issue_login_token(
    sessionmaker: Sessions,
    settings: Settings,
    keyring: KeyRing,
    caller: Caller,
    data: LoginRequest,
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
    rows = await login_candidate_rows(
        sessionmaker,
        partner_id=partner_id,
        seller_id=data.seller_id,
        member_id=caller.account_id,
        service_id=data.service_id,
    )
    if not rows:
        # A seller (or service) this partner holds no grant of does not exist for it.
        raise NotFound("no grant of this seller to your partner")
    roles = assigned_roles(caller, rows[0], note)
    chosen = choose_grant(rows, roles, at, sea_launch=settings.sea_launch_date, note=note).grant
    claims = LoginClaims(
        jti=new_jti(),
        seller_id=data.seller_id,
        actor=Act(sub=caller.account_id, partner=partner_id),
        roles=effective_roles(chosen.facts.roles, roles),
        grant_id=chosen.grant_id,
        grant_version=chosen.version,
        browser_profile=data.browser_profile,
    )
    region = link_region(chosen.facts.market)
    token = await _mint(settings, keyring, claims, region, at)
    await _store(sessionmaker, settings, claims, _minted_note(note, chosen, claims), at)
    return LoginTokenIssued(
        login_token=token,
        login_url=urls.console_login_url(settings, region),
        expires_in=int(settings.login_token_ttl.total_seconds()),
        seller_id=claims.seller_id,
        grant_id=claims.grant_id,
        roles=sorted(claims.roles),
        act=Actor(sub=claims.actor.sub, partner=claims.actor.partner),
    )


def _minted_note(note: AuditNote, chosen: LoginCandidate, claims: LoginClaims) -> AuditNote:
    return dataclasses.replace(
        note,
        grant_id=chosen.grant_id,
        detail={
            "jti": claims.jti,
            "service_id": chosen.service_id,
            "roles": sorted(claims.roles),
            "browser_profile": claims.browser_profile,
        },
    )


async def _mint(
    settings: Settings,
    keyring: KeyRing,
    claims: LoginClaims,
    region: str,
    at: datetime,
) -> str:
    return await keyring.encode(
        claims.to_jwt(),
        typ=LOGIN_TOKEN_TYP,
        audience=urls.console_audience(settings, region),
        lifetime=settings.login_token_ttl,
        now=at,
    )


async def _store(
    sessionmaker: Sessions, settings: Settings, claims: LoginClaims, note: AuditNote, at: datetime
) -> None:
    """The token's single-use row, expiring exactly when its ``exp`` does, and its audit
    event: committed together before the token is handed out."""
    ttl = int(settings.login_token_ttl.total_seconds())
    row = {
        "jti": claims.jti,
        "grant_id": claims.grant_id,
        "grant_version": claims.grant_version,
        "member_id": claims.actor.sub,
        "partner_id": claims.actor.partner,
        "seller_id": claims.seller_id,
        "roles": claims.roles,
        "created_at": at,
        "expires_at": datetime.fromtimestamp(int(at.timestamp()) + ttl, UTC),
        "redeemed_at": None,
    }
    await insert_login_token(sessionmaker, row, success_row(note))
    LOGIN_TOKENS.labels("minted").inc()  # counted once committed, as before
