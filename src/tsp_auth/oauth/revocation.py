"""Token revocation (RFC 7009).

- A refresh token revokes its whole family: every refresh and access token issued from the same
  authorization code (RFC 7009 §2.1: "SHOULD also invalidate all access tokens based on the
  same authorization grant").
- An access token is listed by ``jti`` in ``revoked_tokens`` until it would have expired.
- A token we cannot find, or one already dead, is answered 200 like a success (§2.2).
- A token issued to another client is refused (§2.1: the server "verifies whether the token was
  issued to the client making the revocation request. If this validation fails, the request is
  refused"): 400 ``invalid_grant``, as Authlib's RFC 7009 endpoint does. Nothing is revoked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.audit.service import record_event
from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.crypto import InvalidToken
from tsp_auth.keys.ring import KeyRing
from tsp_auth.kit.audit_note import AuditNote
from tsp_auth.oauth import repository
from tsp_auth.oauth.client_authentication import AuthenticatedClient
from tsp_auth.oauth.errors import InvalidGrant
from tsp_auth.oauth.introspection import is_access_token
from tsp_auth.oauth.opaque import digest
from tsp_auth.oauth.tokens import ACCESS_TOKEN_TYP, access_token_audience

# Answers True when the token was one of its kind (revoked, or already dead).
# The key ring and settings only matter to access tokens (a JWT to verify); refresh tokens are
# looked up by hash.
Revoker = Callable[
    [AsyncSession, KeyRing, Settings, AuthenticatedClient, str, datetime], Awaitable[bool]
]

_NOT_YOURS = "the token was not issued to this client"


def _note(client: AuthenticatedClient, **detail: str) -> AuditNote:
    return AuditNote(
        action="token.revoked",
        actor_id=client.id,
        actor_type="client",
        partner_id=client.partner_id,
        detail=detail,
    )


async def revoke_refresh_token(
    session: AsyncSession,
    keyring: KeyRing,
    settings: Settings,
    client: AuthenticatedClient,
    token: str,
    at: datetime,
) -> bool:
    del keyring, settings
    row = await repository.refresh_by_hash(session, digest(token))
    if row is None:
        return False
    if row.client_id != client.id:
        raise InvalidGrant(_NOT_YOURS)
    if await repository.revoke_family(session, row.family_id, at, "revoked_by_client"):
        record_event(session, _note(client, kind="refresh", family_id=row.family_id))
    return True


async def revoke_access_token(
    session: AsyncSession,
    keyring: KeyRing,
    settings: Settings,
    client: AuthenticatedClient,
    token: str,
    at: datetime,
) -> bool:
    if not is_access_token(token):
        return False
    try:
        claims = await keyring.decode(
            token,
            typ=ACCESS_TOKEN_TYP,
            audience=access_token_audience(settings),
            now=at,
            session=session,
        )
    except InvalidToken:
        return True  # expired or not ours to begin with: nothing to revoke
    if claims.get("client_id") != client.id:
        raise InvalidGrant(_NOT_YOURS)
    expires_at = datetime.fromtimestamp(float(claims["exp"]), UTC)
    await repository.revoke_jti(session, str(claims["jti"]), expires_at, at)
    record_event(session, _note(client, kind="access", jti=str(claims["jti"])))
    return True


async def revoke(
    session: AsyncSession,
    keyring: KeyRing,
    settings: Settings,
    client: AuthenticatedClient,
    token: str,
    hint: str | None,
) -> None:
    """Revoke ``token`` if it is ``client``'s; the hint only picks which kind is tried first."""
    revokers: tuple[Revoker, ...] = (revoke_refresh_token, revoke_access_token)
    if hint == "access_token":
        revokers = revokers[::-1]
    at = now()
    for revoker in revokers:
        if await revoker(session, keyring, settings, client, token, at):
            return
