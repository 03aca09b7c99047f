"""The caller of a request, proven by an identity token (docs/identity.md)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import bindparam, select

from tsp_auth.clock import now
from tsp_auth.crypto import InvalidToken
from tsp_auth.crypto.identity import IdentityCodec
from tsp_auth.db.direct import DirectQuery, SessionSource
from tsp_auth.errors import Unauthorized
from tsp_auth.models import Account
from tsp_auth.policy import Reason

IDENTITY_COOKIE = "tsp_identity"
BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="tsp-auth"'}


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
            f"identity token refused: {exc.reason}",
            error=Reason.INVALID_TOKEN,
            headers=BEARER_CHALLENGE,
        ) from None
    row = await _CALLER.first(source, {"account_id": account_id})
    if row is None:
        raise Unauthorized(
            "identity token refused: unknown_account",
            error=Reason.INVALID_TOKEN,
            headers=BEARER_CHALLENGE,
        )
    return Caller(**row)
