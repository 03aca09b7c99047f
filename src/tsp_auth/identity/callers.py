"""The caller of a request, proven by an identity token (docs/identity.md)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from tsp_auth.clock import now
from tsp_auth.crypto import InvalidToken
from tsp_auth.crypto.identity import IdentityCodec
from tsp_auth.kit.errors import Unauthorized

# Caller is the row its direct read answers, so it is defined beside that read.
from tsp_auth.live.caller_state import Caller as Caller
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


def account_id_of(codec: IdentityCodec, token: str) -> str:
    """The account an identity token names, or 401 ``invalid_token``.

    Then ``known_caller(await live.caller_state.caller_account(source, account_id))``: the
    request's dependency reads through the sessionmaker (before the request's unit of work has
    begun), a page through its session. One answer for a bad token and an unknown account:
    nothing to probe (STYLE).
    """
    try:
        return codec.decode(token, now=now())
    except InvalidToken as exc:
        raise Unauthorized(
            f"identity token refused: {exc.reason}",
            error=Reason.INVALID_TOKEN,
            headers=BEARER_CHALLENGE,
        ) from None


def known_caller(caller: Caller | None) -> Caller:
    """The caller the token's account is, or the same 401 as for a bad token."""
    if caller is None:
        raise Unauthorized(
            "identity token refused: unknown_account",
            error=Reason.INVALID_TOKEN,
            headers=BEARER_CHALLENGE,
        )
    return caller
