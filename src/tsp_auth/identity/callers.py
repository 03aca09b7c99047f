"""The caller of a request, proven by an identity token (docs/identity.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import bindparam, select

from tsp_auth.clock import now
from tsp_auth.crypto import InvalidToken
from tsp_auth.crypto.identity import IdentityCodec
from tsp_auth.db_direct import DirectQuery, SessionSource
from tsp_auth.errors import Forbidden, Unauthorized
from tsp_auth.models import Account

IDENTITY_COOKIE = "tsp_identity"
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="tsp-auth"'}


@dataclass(frozen=True, slots=True)
class Caller:
    account_id: str
    kind: str  # seller | partner | operator | business_center | tiktok
    role: str  # main | sub | admin | member | operator
    name: str
    seller_id: str | None
    partner_id: str | None
    business_center_id: str | None = None

    @property
    def is_operator(self) -> bool:
        return self.kind == "operator"

    @property
    def is_seller_main(self) -> bool:
        return self.kind == "seller" and self.role == "main"

    @property
    def is_partner_admin(self) -> bool:
        return self.kind == "partner" and self.role == "admin"

    @property
    def is_bc_admin(self) -> bool:
        return self.kind == "business_center" and self.role == "admin"


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


# Every authenticated request reads its caller: a direct read, columns named as Caller's fields.
_CALLER = DirectQuery(
    select(
        Account.id.label("account_id"),
        Account.kind,
        Account.role,
        Account.name,
        Account.seller_id,
        Account.partner_id,
        Account.business_center_id,
    ).where(Account.id == bindparam("account_id"))
)


async def resolve_caller(source: SessionSource, codec: IdentityCodec, token: str) -> Caller:
    """One answer for a bad token and an unknown account: nothing to probe (STYLE).

    ``source``: the request's session, or (before the request's unit of work has begun) the
    sessionmaker, for a direct read.
    """
    try:
        account_id = codec.decode(token, now=now())
    except InvalidToken as exc:
        raise Unauthorized(
            f"identity token refused: {exc.reason}", error="invalid_token", headers=_CHALLENGE
        ) from None
    row = await _CALLER.first(source, {"account_id": account_id})
    if row is None:
        raise Unauthorized(
            "identity token refused: unknown_account", error="invalid_token", headers=_CHALLENGE
        )
    return Caller(**row)


async def current_caller(request: Request) -> Caller:
    """The route's caller, resolved as a dependency: before its unit of work begins."""
    token = bearer_token(request)
    if token is None:
        raise Unauthorized("an identity token is required", headers=_CHALLENGE)
    state = request.app.state
    return await resolve_caller(state.sessionmaker, state.identity_codec, token)


CallerDep = Annotated[Caller, Depends(current_caller)]


async def bearer_or_cookie_caller(request: Request) -> Caller:
    """For a GET a browser makes by itself (an ``<img>`` on our own page): the identity token,
    or else the sign-in cookie. Only for reads: a cookie never authorizes a change here."""
    token = bearer_token(request) or request.cookies.get(IDENTITY_COOKIE)
    if not token:
        raise Unauthorized("an identity token is required", headers=_CHALLENGE)
    state = request.app.state
    return await resolve_caller(state.sessionmaker, state.identity_codec, token)


BrowserCallerDep = Annotated[Caller, Depends(bearer_or_cookie_caller)]


def require_operator(caller: Caller) -> None:
    if not caller.is_operator:
        raise Forbidden("operators only", error="operator_required")
