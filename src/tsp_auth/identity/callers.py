"""The caller of a request, proven by an identity token (docs/identity.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.clock import now
from tsp_auth.crypto import InvalidToken
from tsp_auth.crypto.identity import IdentityCodec
from tsp_auth.db import SessionDep
from tsp_auth.errors import Forbidden, Unauthorized
from tsp_auth.models import Account
from tsp_auth.registry import repository

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

    @classmethod
    def of(cls, account: Account) -> Caller:
        return cls(
            account_id=account.id,
            kind=account.kind,
            role=account.role,
            name=account.name,
            seller_id=account.seller_id,
            partner_id=account.partner_id,
            business_center_id=account.business_center_id,
        )

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


async def resolve_caller(session: AsyncSession, codec: IdentityCodec, token: str) -> Caller:
    """One answer for a bad token and an unknown account: nothing to probe (STYLE)."""
    try:
        account_id = codec.decode(token, now=now())
    except InvalidToken as exc:
        raise Unauthorized(
            f"identity token refused: {exc.reason}", error="invalid_token", headers=_CHALLENGE
        ) from None
    account = await repository.get_account(session, account_id)
    if account is None:
        raise Unauthorized(
            "identity token refused: unknown_account", error="invalid_token", headers=_CHALLENGE
        )
    return Caller.of(account)


async def current_caller(request: Request, session: SessionDep) -> Caller:
    token = bearer_token(request)
    if token is None:
        raise Unauthorized("an identity token is required", headers=_CHALLENGE)
    codec: IdentityCodec = request.app.state.identity_codec
    return await resolve_caller(session, codec, token)


CallerDep = Annotated[Caller, Depends(current_caller)]


def require_operator(caller: Caller) -> None:
    if not caller.is_operator:
        raise Forbidden("operators only", error="operator_required")
