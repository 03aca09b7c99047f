"""SQL of identity: the demo accounts the development sign-in page offers (the caller's account,
read on every authenticated request, is ``live.caller_state``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.models import Account

# Every account `tsp-auth demo` creates has an id with this prefix (tsp_auth.demo.load, and the
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
