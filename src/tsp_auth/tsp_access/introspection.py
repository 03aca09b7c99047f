"""Introspection (RFC 7662) of TSP Access credentials: login tokens and console sessions.

``introspect_tsp_token`` answers for a token that is one of ours, and None for any other token
so the introspection endpoint (``oauth.introspection``, where it is registered) can ask its next
introspector. Only first-party clients holding ``tsp.introspect`` see an active answer: ours
carry no ``client_id`` (oauth/router.py). Both kinds carry ``act``
(RFC 8693 §4.1): ``sub`` is the seller, ``act.sub`` the partner account acting for it. A token
is active only while its grant is in force at the version it was minted from (DESIGN §2).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.keys.ring import KeyRing
from tsp_auth.kit.errors import AppError
from tsp_auth.live.grant_state import live_grant
from tsp_auth.live.in_force import check_minted_version
from tsp_auth.live.session_state import live_session
from tsp_auth.oauth.introspection import register_introspector
from tsp_auth.tsp_access import repository
from tsp_auth.tsp_access.sessions import verified_claims
from tsp_auth.tsp_access.tokens import LOGIN_TOKEN_TYP, hash_token, looks_like_login_token


def _inactive() -> dict[str, Any]:
    # RFC 7662 §2.2: nothing but "active": false about a token that is not active.
    return {"active": False}


async def introspect_tsp_token(
    sessionmaker: async_sessionmaker[AsyncSession], keyring: KeyRing, settings: Settings, token: str
) -> dict[str, Any] | None:
    """RFC 7662 §2.2 response for a login token or console session token; None if not ours."""
    if not looks_like_login_token(token):
        return await _console_session(sessionmaker, token, now())
    async with sessionmaker() as session:
        return await _login_token(session, settings, keyring, token, now())


async def _login_token(
    session: AsyncSession, settings: Settings, keyring: KeyRing, token: str, at: datetime
) -> dict[str, Any] | None:
    try:
        claims, audience = await verified_claims(session, settings, keyring, token, at)
    except AppError:
        return _inactive()  # bad signature, expired, another console's audience...
    row = await repository.get_login_token(session, claims.jti)
    live = await live_grant(session, claims.grant_id)
    if row is None or row.redeemed_at is not None or row.expires_at <= at or live is None:
        return _inactive()
    if not check_minted_version(live.facts, live.version, row.grant_version, at).allow:
        return _inactive()
    return {
        "active": True,
        "token_type": LOGIN_TOKEN_TYP,
        "iss": settings.issuer,
        "aud": audience,
        "sub": claims.seller_id,
        "act": claims.actor.claim(),
        "roles": sorted(row.roles),
        "grant_id": row.grant_id,
        "gv": row.grant_version,
        "jti": row.jti,
        "iat": int(row.created_at.timestamp()),
        "exp": int(row.expires_at.timestamp()),
    }


async def _console_session(
    sessionmaker: async_sessionmaker[AsyncSession], token: str, at: datetime
) -> dict[str, Any] | None:
    console = await live_session(sessionmaker, hash_token(token))
    if console is None:
        return None
    if console.ended_at is not None or console.expires_at <= at:
        return _inactive()
    minted = console.grant_version
    if not check_minted_version(console.grant, console.current_grant_version, minted, at).allow:
        return _inactive()
    return {
        "active": True,
        "token_type": "tsp_console_session",
        "sub": console.seller_id,
        "act": {"sub": console.member_id, "partner": console.partner_id},
        "roles": sorted(console.roles),
        "grant_id": console.grant_id,
        "gv": console.grant_version,
        "session_id": console.id,
        "iat": int(console.created_at.timestamp()),
        "exp": int(console.expires_at.timestamp()),
    }


# Joins the introspection endpoint's list (imported for this by ``tsp_access.router``).
register_introspector(introspect_tsp_token, token_types=("login_token", "session_token"))
