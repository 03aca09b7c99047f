"""private_key_jwt (RFC 7523 §2.2, §3; OIDC Core §9): a client proves itself with a JWT it
signed with a key it registered (``jwks`` or ``jwks_uri``).

The assertion must have ``iss`` = ``sub`` = the client_id, an ``aud`` naming us (below), an
``exp`` in the future and at most ``MAX_LIFETIME`` away, and a ``jti`` never seen before from
this client: spent in the database (``jti_repository``), so a replay is refused on every
process. Algorithms: ES256, PS256, EdDSA (``crypto.client_jws``).

``aud``: our issuer identifier, as FAPI 2.0 §5.3.2.1 asks; like node oidc-provider we also
accept the token endpoint URL (what RFC 7523 §3 and many clients send) and the URL of the
endpoint being called (the PAR, introspection or revocation endpoint).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.config import Settings
from tsp_auth.crypto import InvalidToken
from tsp_auth.crypto.client_jws import key_for, peek, verify
from tsp_auth.live.client_state import ClientCredentials
from tsp_auth.oauth.client_keys import UnusableKeys, client_key_set
from tsp_auth.oauth.errors import InvalidClient
from tsp_auth.oauth.jti_repository import jti_key, spend_jti
from tsp_auth.oauth.metadata import TOKEN_PATH

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MAX_LIFETIME = timedelta(minutes=5)  # exp at most this far ahead: a bounded replay window
LEEWAY = timedelta(seconds=30)
MAX_JTI_LENGTH = 256


@dataclass(frozen=True, slots=True)
class AssertionContext:
    """What an assertion's ``aud`` may name: our issuer, the token endpoint, this endpoint."""

    settings: Settings
    endpoint_path: str

    def audiences(self) -> frozenset[str]:
        base = self.settings.issuer.rstrip("/")
        return frozenset((self.settings.issuer, base, base + TOKEN_PATH, base + self.endpoint_path))


def asserted_client_id(assertion: str) -> str:
    """The client an assertion names (``sub``, RFC 7523 §3), read before it is verified:
    only to find the keys it must verify with."""
    try:
        _, claims = peek(assertion)
    except InvalidToken:
        raise InvalidClient("malformed client assertion") from None
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise InvalidClient("the client assertion names no client (sub)")
    return subject


async def verify_assertion(
    sessionmaker: async_sessionmaker[AsyncSession],
    client: ClientCredentials,
    assertion: str,
    context: AssertionContext,
    at: datetime,
) -> None:
    """Raise ``InvalidClient`` unless ``assertion`` proves ``client``; spends its ``jti``."""
    try:
        signed = verify(assertion, await _signing_key(context.settings, client, assertion))
    except InvalidToken as exc:
        raise InvalidClient(f"client assertion refused: {exc.reason}") from None
    exp = _check_claims(signed.claims, client.id, context, at)
    key = jti_key(client.id, str(signed.claims["jti"]))
    if not await spend_jti(sessionmaker, "client_assertion", key, exp + LEEWAY):
        raise InvalidClient("client assertion replayed (jti already used)")


async def _signing_key(settings: Settings, client: ClientCredentials, assertion: str) -> Any:
    header, _ = peek(assertion)
    try:
        keys = await client_key_set(settings, client.jwks, client.jwks_uri)
        key = key_for(header, keys)
        if key is None and client.jwks_uri is not None:
            # An unknown kid: the client may have rotated its keys since we fetched them.
            key = key_for(
                header, await client_key_set(settings, None, client.jwks_uri, refresh=True)
            )
    except UnusableKeys as exc:
        raise InvalidClient(f"the client's keys are unusable: {exc}") from None
    if key is None:
        raise InvalidClient("no registered key of the client fits the assertion")
    return key


def _check_claims(
    claims: Mapping[str, Any], client_id: str, context: AssertionContext, at: datetime
) -> datetime:
    """RFC 7523 §3 claims; the assertion's ``exp``."""
    if claims.get("iss") != client_id or claims.get("sub") != client_id:
        raise InvalidClient("client assertion: iss and sub must be the client_id")
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud
    if not isinstance(audiences, list) or not context.audiences() & set(map(str, audiences)):
        raise InvalidClient("client assertion: aud must be this server's issuer")
    exp = _moment(claims, "exp")
    if exp is None or exp <= at - LEEWAY or exp > at + MAX_LIFETIME + LEEWAY:
        raise InvalidClient("client assertion: exp is missing, past or too far ahead")
    for name in ("iat", "nbf"):
        moment = _moment(claims, name)
        if moment is not None and moment > at + LEEWAY:
            raise InvalidClient(f"client assertion: {name} is in the future")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not 0 < len(jti) <= MAX_JTI_LENGTH:
        raise InvalidClient("client assertion: jti is required")
    return exp


def _moment(claims: Mapping[str, Any], name: str) -> datetime | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidClient(f"client assertion: {name} must be a number")
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise InvalidClient(f"client assertion: {name} is out of range") from None
