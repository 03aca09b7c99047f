"""The caller's account as it is now: read on every authenticated request, outside the
request's unit of work (it is resolved before that begins) or in the session of a page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.coherence.batch import Batcher
from tsp_auth.db.batched import BatchQuery, batchable
from tsp_auth.db.direct import DirectQuery, SessionSource, driver_engine
from tsp_auth.db.per_app import Alive, PerApp, alive_of
from tsp_auth.models import Account


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
_CALLER_COLUMNS = select(
    Account.id.label("account_id"),
    Account.kind,
    Account.role,
    Account.name,
    Account.seller_id,
    Account.partner_id,
    Account.business_center_id,
)
_CALLER = DirectQuery(Caller, _CALLER_COLUMNS.where(Account.id == bindparam("account_id")))
_CALLERS = BatchQuery(Caller, _CALLER_COLUMNS, Account.id)


async def caller_account(source: SessionSource, account_id: str) -> Caller | None:
    """The account as the request's caller: in the caller's session, or (before the request's
    unit of work has begun) directly through the sessionmaker.

    Directly on PostgreSQL, the concurrent requests' reads are coalesced: one ``= ANY($1)``
    round trip per batch of account ids (``coherence/batch.py``). Nothing is cached: a request
    joins only a batch not sent yet, so it reads the account as it is after the request
    arrived, and an account removed before is refused as it always was. An odd id (see
    ``batchable``) is read on its own.
    """
    if (
        isinstance(source, async_sessionmaker)
        and driver_engine(source) is not None
        and batchable(account_id)
    ):
        return await _batcher_of(source).load(account_id)
    return await _CALLER.first(source, {"account_id": account_id})


def _callers(alive: Alive) -> Batcher[str, Caller]:
    async def load(account_ids: Sequence[str]) -> dict[str, Caller]:
        return {row.account_id: row for row in await _CALLERS.all(alive(), account_ids)}

    return Batcher(load)


# One per app and event loop (its futures belong to one loop).
_BATCHERS: PerApp[Batcher[str, Caller]] = PerApp(per_loop=True)


def _batcher_of(sessionmaker: async_sessionmaker[AsyncSession]) -> Batcher[str, Caller]:
    found = _BATCHERS.found(sessionmaker)
    if found is None:
        found = _BATCHERS.keep(sessionmaker, _callers(alive_of(sessionmaker)))
    return found
