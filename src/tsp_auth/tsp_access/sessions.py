"""Console sessions: the seller console redeems a login token, exactly once, for a session.

A session is bound to the grant id and version it was opened with; it stops working the moment
the grant is cancelled, deactivated, narrowed or renewed (the version moves on), checked on every
use — the decision API reads the grant with the session, so no background job is needed.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.audit.service import record_event
from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.crypto import InvalidToken
from tsp_auth.keys.ring import KeyRing
from tsp_auth.kit import urls
from tsp_auth.kit.audit_note import AuditNote
from tsp_auth.kit.errors import AppError, BadRequest, Conflict, Forbidden, Unauthorized
from tsp_auth.live import login_candidates
from tsp_auth.live.grant_state import LiveGrant, live_grant
from tsp_auth.live.in_force import check_minted_version
from tsp_auth.models import ConsoleSession
from tsp_auth.models.base import new_id
from tsp_auth.policy import (
    Decision,
    Reason,
    check_assignment,
    check_member_login,
    effective_roles,
    link_region,
)
from tsp_auth.tsp_access import login_token_repository, profiles, repository
from tsp_auth.tsp_access.login_token_repository import RedeemedLogin
from tsp_auth.tsp_access.metrics import count_login_token_on_commit
from tsp_auth.tsp_access.repository import EndedSession
from tsp_auth.tsp_access.schemas import Actor, SessionCreate, SessionStarted
from tsp_auth.tsp_access.session_kinds import EndReason, SessionKind
from tsp_auth.tsp_access.tokens import (
    LOGIN_TOKEN_TYP,
    LoginClaims,
    claimed_audience,
    hash_token,
    is_well_formed,
    new_session_token,
)

SESSION_STARTED = "session.started"
SESSION_ENDED = "session.ended"
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="tsp-auth", error="invalid_token"'}


def _invalid(reason: str) -> BadRequest:
    return BadRequest(f"login token refused: {reason}", error=Reason.INVALID_LOGIN_TOKEN)


async def verified_claims(
    session: AsyncSession, settings: Settings, keyring: KeyRing, token: str, at: datetime
) -> tuple[LoginClaims, str]:
    """The claims of a login token we signed for one of our consoles, and that audience."""
    if not is_well_formed(token):
        # Not a JWT at all: say so, rather than blame an audience it never had.
        raise _invalid("malformed_token")
    audience = claimed_audience(token)
    if audience not in urls.console_audiences(settings):
        raise _invalid("wrong_audience")
    assert audience is not None
    try:
        raw = await keyring.decode(
            token, typ=LOGIN_TOKEN_TYP, audience=audience, now=at, session=session
        )
    except InvalidToken as exc:
        if exc.reason == "expired":
            raise BadRequest("login token expired", error=Reason.LOGIN_TOKEN_EXPIRED) from None
        raise _invalid(exc.reason) from None
    try:
        return LoginClaims.from_jwt(raw), audience
    except ValueError:
        raise _invalid("malformed") from None


async def _not_redeemable(
    session: AsyncSession, claims: LoginClaims, at: datetime, note: AuditNote
) -> AppError:
    row = await repository.get_login_token(session, claims.jti)
    if row is None:
        return _invalid("unknown")
    if row.redeemed_at is not None:
        # A replayed login token is worth a line in the seller's trail.
        return Conflict("login token already used", error=Reason.LOGIN_TOKEN_USED).audited(note)
    return BadRequest("login token expired", error=Reason.LOGIN_TOKEN_EXPIRED)


async def _redeem(
    session: AsyncSession, claims: LoginClaims, at: datetime, note: AuditNote
) -> RedeemedLogin:
    row = await login_token_repository.redeem_login_token(session, claims.jti, at)
    if row is None:
        raise await _not_redeemable(session, claims, at, note)
    minted = (row.seller_id, row.member_id, row.grant_id, row.grant_version)
    claimed = (claims.seller_id, claims.actor.sub, claims.grant_id, claims.grant_version)
    if minted != claimed:
        raise _invalid("claims_mismatch")
    return row


async def assigned_now(
    session: AsyncSession, row: RedeemedLogin, note: AuditNote
) -> frozenset[str] | None:
    """The member's assignment as it is NOW (None: no narrowing): one removed or narrowed since
    the login was minted counts, and a member who left the partner is refused."""
    member = await login_candidates.member_now(session, row.member_id, row.seller_id)
    if member is None or member.partner_id != row.partner_id:
        raise Forbidden("not a member of the partner", error=Reason.NOT_ASSIGNED).audited(note)
    admin = member.is_admin
    decision = check_assignment(is_admin=admin, is_assigned=admin or member.assigned)
    if not decision.allow:
        raise Forbidden("not assigned to this seller", error=decision.reason).audited(note)
    return None if admin else member.assigned_roles


def _refused(decision: Decision, note: AuditNote) -> AppError:
    error = Conflict if decision.reason == Reason.GRANT_CHANGED else Forbidden
    return error(f"session refused: {decision.reason}", error=decision.reason).audited(note)


async def _still_allowed(
    session: AsyncSession,
    settings: Settings,
    row: RedeemedLogin,
    audience: str,
    at: datetime,
    note: AuditNote,
) -> tuple[LiveGrant, frozenset[str]]:
    """The grant, fresh, and the member's roles, if they still allow the session at ``at``."""
    live = await live_grant(session, row.grant_id)
    if live is None:
        raise _refused(Decision.denied(Reason.GRANT_NOT_ACTIVE), note)
    decision = check_minted_version(live.facts, live.version, row.grant_version, at)
    if not decision.allow:
        raise _refused(decision, note)
    roles = effective_roles(live.facts.roles, await assigned_now(session, row, note))
    decision = check_member_login(live.facts, roles, at, sea_launch=settings.sea_launch_date)
    if not decision.allow:
        raise _refused(decision, note)
    if audience != urls.console_audience(settings, link_region(live.facts.market)):
        raise _invalid("wrong_console")
    return live, roles


def _profile(claims: LoginClaims, data: SessionCreate) -> str:
    """The browser profile of the session: the login's, unless the console names another.
    Every console session lives on one (seed 000 FAQ Q1, ``tsp_access.profiles``)."""
    if claims.browser_profile is not None and data.browser_profile not in (
        None,
        claims.browser_profile,
    ):
        raise BadRequest(
            "the login was requested for another browser profile",
            error=Reason.BROWSER_PROFILE_MISMATCH,
        )
    profile = data.browser_profile or claims.browser_profile
    if profile is None:
        raise BadRequest(
            "a console session needs the browser profile it lives on",
            error=Reason.BROWSER_PROFILE_REQUIRED,
        )
    return profile


async def end_sessions(
    session: AsyncSession, where: ColumnElement[bool], *, actor_id: str, reason: str
) -> list[EndedSession]:
    """End every open console session matching ``where``, each with a ``session.ended`` event."""
    ended = await repository.end_sessions(session, where, at=now(), reason=reason)
    for one in ended:
        record_event(session, profiles.ended_note(one, actor_id, reason))
    return ended


async def start_session(
    session: AsyncSession, settings: Settings, keyring: KeyRing, data: SessionCreate
) -> SessionStarted:
    """Redeem a login token (once) for a console session on the seller's console."""
    at = now()
    claims, audience = await verified_claims(session, settings, keyring, data.login_token, at)
    note = AuditNote(
        action=SESSION_STARTED,
        actor_id=claims.actor.sub,
        on_behalf_of=claims.seller_id,
        partner_id=claims.actor.partner,
        seller_id=claims.seller_id,
        grant_id=claims.grant_id,
        detail={"jti": claims.jti},
    )
    profile = _profile(claims, data)
    row = await _redeem(session, claims, at, note)
    live, roles = await _still_allowed(session, settings, row, audience, at, note)
    await profiles.free_profile(
        session, profile, kind=SessionKind.TSP_ACCESS, account_id=row.member_id, at=at, note=note
    )
    token = new_session_token()
    console = _new_session(row, token, roles, profile, live, at, settings)
    await profiles.open_on_profile(session, console, note)
    count_login_token_on_commit(session, "redeemed")
    detail = {"jti": row.jti, "session_id": console.id, "roles": sorted(roles)}
    record_event(session, dataclasses.replace(note, detail={**detail, "browser_profile": profile}))
    return SessionStarted(
        session_token=token,
        session_id=console.id,
        seller_id=console.seller_id,
        acting_as=console.seller_id,
        act=Actor(sub=console.member_id, partner=console.partner_id),
        grant_id=console.grant_id,
        roles=sorted(roles),
        browser_profile=profile,
        expires_at=console.expires_at,
    )


def _new_session(
    row: RedeemedLogin,
    token: str,
    roles: frozenset[str],
    profile: str,
    live: LiveGrant,
    at: datetime,
    settings: Settings,
) -> ConsoleSession:
    expires_at = at + settings.console_session_ttl
    if live.facts.expires_at is not None:
        # A session never outlives its grant.
        expires_at = min(expires_at, live.facts.expires_at)
    return ConsoleSession(
        id=new_id("cs"),
        kind=SessionKind.TSP_ACCESS,
        token_hash=hash_token(token),
        login_jti=row.jti,
        grant_id=row.grant_id,
        grant_version=row.grant_version,
        member_id=row.member_id,
        partner_id=row.partner_id,
        seller_id=row.seller_id,
        roles=roles,
        browser_profile=profile,
        created_at=at,
        expires_at=expires_at,
        ended_at=None,
        end_reason=None,
    )


async def end_current_session(session: AsyncSession, token: str | None) -> None:
    """Log out: end the session (of either kind) whose token is the bearer; this frees its
    browser profile. Ending an ended session is a no-op."""
    if token is None:
        raise Unauthorized(
            "a console session token is required",
            error=Reason.INVALID_SESSION,
            headers=_CHALLENGE,
        )
    token_hash = hash_token(token)
    console = await repository.session_by_token(session, token_hash)
    if console is None:
        raise Unauthorized(
            "unknown console session", error=Reason.INVALID_SESSION, headers=_CHALLENGE
        )
    await end_sessions(
        session,
        ConsoleSession.token_hash == token_hash,
        actor_id=console.member_id,
        reason=EndReason.LOGOUT,
    )
