"""The caller of a request, proven by an identity token (docs/identity.md)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from tsp_auth.clock import now
from tsp_auth.crypto import InvalidToken
from tsp_auth.crypto.identity import IdentityCodec
from tsp_auth.db.direct import SessionSource
from tsp_auth.identity import repository

# Caller is the row its direct read answers, so it is defined beside that read.
from tsp_auth.identity.repository import Caller as Caller
from tsp_auth.kit.errors import Unauthorized
from tsp_auth.policy import Reason

IDENTITY_COOKIE = "tsp_identity"
BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="tsp-auth"'}
# The OpenAPI security scheme of the identity token. ``openapi_spec`` declares it on every
# operation with the caller as a dependency; a direct route (``direct_routes``) resolving its
# caller itself declares it in its ``openapi_extra``.
IDENTITY_SCHEME = "identityToken"
CALLER_SECURITY: dict[str, Any] = {"security": [{IDENTITY_SCHEME: []}]}


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


async def resolve_caller(source: SessionSource, codec: IdentityCodec, token: str) -> Caller:
    """One answer for a bad token and an unknown account: nothing to probe (STYLE).

    ``source``: the request's session, or (before the request's unit of work has begun) the
    sessionmaker, for a direct read.
    """
    try:
        account_id = codec.decode(token, now=now())
    except InvalidToken as exc:
        raise Unauthorized(
            f"identity token refused: {exc.reason}",
            error=Reason.INVALID_TOKEN,
            headers=BEARER_CHALLENGE,
        ) from None
    caller = await repository.caller_account(source, account_id)
    if caller is None:
        raise Unauthorized(
            "identity token refused: unknown_account",
            error=Reason.INVALID_TOKEN,
            headers=BEARER_CHALLENGE,
        )
    return caller
