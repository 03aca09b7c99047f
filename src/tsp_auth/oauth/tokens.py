"""Access tokens (JWT, RFC 9068) and refresh tokens (opaque, hashed) as we mint them.

An access token is signed through the key ring (ES256, ``kid``), ``typ`` ``at+jwt``, with
``iss``, ``sub``, ``aud``, ``exp``, ``iat``, ``jti``, ``client_id`` and ``scope``; a token that
rests on a grant adds ``grant_id``, ``gv`` (the grant version it was minted from) and ``fam``
(its token family), so introspection can kill it the moment the grant or family changes.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.clients.scopes import format_scope
from tsp_auth.config import Settings
from tsp_auth.keys.ring import KeyRing
from tsp_auth.live.grant_state import LiveGrant
from tsp_auth.models import RefreshToken
from tsp_auth.models.base import new_id
from tsp_auth.oauth.errors import InvalidDpopProof
from tsp_auth.oauth.opaque import digest, new_opaque

ACCESS_TOKEN_TYP = "at+jwt"  # noqa: S105  (RFC 9068 §2.1 media type, not a secret)


def access_token_audience(settings: Settings) -> str:
    """RFC 9068 §3: the resource the token is for; one partner API, ``{issuer}/api`` unless set."""
    return settings.access_token_audience or settings.issuer.rstrip("/") + "/api"


@dataclass(frozen=True, slots=True)
class AccessToken:
    token: str
    jti: str
    expires_in: int
    scope: str  # as in the token and in the token response (RFC 6749 §3.3)


async def mint_access_token(
    keyring: KeyRing,
    settings: Settings,
    *,
    subject: str,
    client_id: str,
    scopes: frozenset[str],
    family_id: str | None,
    grant: LiveGrant | None,
    at: datetime,
    jkt: str | None = None,
    session: AsyncSession | None = None,
) -> AccessToken:
    """``session``: the code or refresh grant's unit of work, in which a due key reload reads
    (``KeyRing``); client_credentials has none."""
    jti = secrets.token_urlsafe(16)
    scope = format_scope(scopes)
    claims: dict[str, Any] = {"jti": jti, "sub": subject, "client_id": client_id, "scope": scope}
    if grant is not None:
        claims.update(grant_id=grant.id, gv=grant.version)
    if family_id is not None:
        claims["fam"] = family_id
    if jkt is not None:
        claims["cnf"] = {"jkt": jkt}  # RFC 9449 §6.1: bound to the DPoP key
    token = await keyring.encode(
        claims,
        typ=ACCESS_TOKEN_TYP,
        audience=access_token_audience(settings),
        lifetime=settings.access_token_ttl,
        now=at,
        session=session,
    )
    return AccessToken(token, jti, int(settings.access_token_ttl.total_seconds()), scope)


def token_type(jkt: str | None) -> Literal["Bearer", "DPoP"]:
    """RFC 9449 §5: ``DPoP`` for a bound access token, ``Bearer`` otherwise."""
    return "Bearer" if jkt is None else "DPoP"


def check_refresh_binding(bound_to: str | None, presented: str | None) -> None:
    """RFC 9449 §5: a bound refresh token is used only with a proof of the same key."""
    if bound_to is not None and presented != bound_to:
        raise InvalidDpopProof("this refresh token is bound to another DPoP key")


def new_refresh_token(
    settings: Settings, *, family_id: str, client_id: str, scopes: frozenset[str], at: datetime
) -> tuple[str, RefreshToken]:
    """A refresh token and the row that stores its hash.

    Each rotation starts a new ``refresh_token_ttl`` window: an app in regular use stays
    connected for as long as the grant is active; one idle longer than the window must ask the
    seller again. The grant's own expiry bounds everything anyway.
    """
    value = new_opaque()
    row = RefreshToken(
        id=new_id("rtk"),
        token_hash=digest(value),
        family_id=family_id,
        client_id=client_id,
        scopes=scopes,
        created_at=at,
        expires_at=at + settings.refresh_token_ttl,
    )
    return value, row
