"""SQL of identity: the caller's account (every authenticated request), and the demo accounts
the development sign-in page offers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.db.direct import DirectQuery, SessionSource
from tsp_auth.models import Account

# Every account `tsp-auth demo` creates has an id with this prefix (tsp_auth.demo, and the
# business-center and partner-app demo rows); no other account does.
DEMO_ACCOUNT_PREFIX = "acc_demo_"
DEMO_ACCOUNTS_SHOWN = 50


async def demo_accounts(session: AsyncSession) -> Sequence[Account]:
    """The demo accounts in the database (none before `tsp-auth demo` ran), by id."""
    query = (
        select(Account)
        .where(Account.id.startswith(DEMO_ACCOUNT_PREFIX, autoescape=True))
        .order_by(Account.id)
        .limit(DEMO_ACCOUNTS_SHOWN)
    )
    return (await session.scalars(query)).all()


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


# Every authenticated request reads its caller: a direct read, columns named as Caller's fields.
_CALLER = DirectQuery(
    Caller,
    select(
        Account.id.label("account_id"),
        Account.kind,
        Account.role,
        Account.name,
        Account.seller_id,
        Account.partner_id,
        Account.business_center_id,
    ).where(Account.id == bindparam("account_id")),
)


async def caller_account(source: SessionSource, account_id: str) -> Caller | None:
    """The account as the request's caller: in the caller's session, or (before the request's
    unit of work has begun) directly through the sessionmaker."""
    return await _CALLER.first(source, {"account_id": account_id})
