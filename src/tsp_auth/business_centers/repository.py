"""SQL for Business Center access. Functions take the request's session and only flush."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.db.keyset import keyset_page
from tsp_auth.grants import repository as grants_repository
from tsp_auth.kit.pagination import PageQuery
from tsp_auth.models import (
    Account,
    AccountLinkage,
    BcAccessRequest,
    BcAdAccountAccess,
    BcAssignment,
    BusinessCenter,
    Grant,
)

BUSINESS_CENTER = "business_center"  # the grant kind of this flow (DESIGN §1)


async def get_business_center(session: AsyncSession, bc_id: str) -> BusinessCenter | None:
    return await session.get(BusinessCenter, bc_id)


async def get_account(session: AsyncSession, account_id: str) -> Account | None:
    return await session.get(Account, account_id)


async def get_request(session: AsyncSession, request_id: str) -> BcAccessRequest | None:
    return await session.get(BcAccessRequest, request_id)


async def request_by_token(session: AsyncSession, token_hash: str) -> BcAccessRequest | None:
    result = await session.scalars(
        select(BcAccessRequest)
        .where(BcAccessRequest.token_hash == token_hash)
        .execution_options(populate_existing=True)
    )
    return result.first()


async def redeem(
    session: AsyncSession, token_hash: str, *, status: str, tiktok_account_id: str, at: datetime
) -> BcAccessRequest | None:
    """Decide a pending, unexpired request in one statement (STYLE §11): of two concurrent
    redemptions of one token exactly one gets the row back. The sealed token is erased."""
    result = await session.scalars(
        update(BcAccessRequest)
        .where(
            BcAccessRequest.token_hash == token_hash,
            BcAccessRequest.status == "pending",
            BcAccessRequest.expires_at > at,
        )
        .values(
            status=status, token_encrypted=None, tiktok_account_id=tiktok_account_id, decided_at=at
        )
        .returning(BcAccessRequest)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    return result.first()


async def get_grant(session: AsyncSession, grant_id: str) -> Grant | None:
    result = await session.scalars(
        select(Grant)
        .where(Grant.id == grant_id, Grant.kind == BUSINESS_CENTER)
        .execution_options(populate_existing=True)
    )
    return result.first()


async def active_grant(session: AsyncSession, tiktok_account_id: str, bc_id: str) -> Grant | None:
    """The one active grant of the pair (``uq_grants_one_active_business_center``)."""
    return await grants_repository.current_grant(
        session, BUSINESS_CENTER, tiktok_account_id, grantee_id=bc_id
    )


async def active_grants_of_bc(
    session: AsyncSession, bc_id: str, member_id: str | None = None
) -> Sequence[tuple[Grant, Account]]:
    """The BC's active grants with their TikTok accounts; only those assigned to
    ``member_id`` when given. Oldest first."""
    query = (
        select(Grant, Account)
        .join(Account, Account.id == Grant.grantor_id)
        .where(
            Grant.kind == BUSINESS_CENTER,
            Grant.grantee_id == bc_id,
            Grant.status == "active",
        )
    )
    if member_id is not None:
        query = query.join(
            BcAssignment,
            (BcAssignment.tiktok_account_id == Grant.grantor_id)
            & (BcAssignment.business_center_id == bc_id)
            & (BcAssignment.member_id == member_id),
        )
    rows = await session.execute(query.order_by(Grant.created_at, Grant.id))
    return [(grant, account) for grant, account in rows]


async def owner_grants(session: AsyncSession, tiktok_account_id: str) -> Sequence[Grant]:
    result = await session.scalars(
        select(Grant)
        .where(Grant.kind == BUSINESS_CENTER, Grant.grantor_id == tiktok_account_id)
        .order_by(Grant.created_at, Grant.id)
    )
    return result.all()


async def assignments_of(session: AsyncSession, bc_id: str, member_id: str) -> dict[str, str]:
    """tiktok_account_id → permission level, for one member."""
    rows = await session.execute(
        select(BcAssignment.tiktok_account_id, BcAssignment.permission).where(
            BcAssignment.business_center_id == bc_id, BcAssignment.member_id == member_id
        )
    )
    return {tiktok_account_id: level for tiktok_account_id, level in rows}


async def assignment(
    session: AsyncSession, bc_id: str, member_id: str, tiktok_account_id: str
) -> BcAssignment | None:
    result = await session.scalars(
        select(BcAssignment).where(
            BcAssignment.business_center_id == bc_id,
            BcAssignment.member_id == member_id,
            BcAssignment.tiktok_account_id == tiktok_account_id,
        )
    )
    return result.first()


async def remove_assignments(session: AsyncSession, bc_id: str, tiktok_account_id: str) -> int:
    result = await session.execute(
        delete(BcAssignment)
        .where(
            BcAssignment.business_center_id == bc_id,
            BcAssignment.tiktok_account_id == tiktok_account_id,
        )
        .returning(BcAssignment.id)
        .execution_options(synchronize_session=False)
    )
    return len(result.all())


async def ad_account_role(
    session: AsyncSession, bc_id: str, member_id: str, ad_account_id: str
) -> str | None:
    result = await session.scalars(
        select(BcAdAccountAccess.role).where(
            BcAdAccountAccess.business_center_id == bc_id,
            BcAdAccountAccess.member_id == member_id,
            BcAdAccountAccess.ad_account_id == ad_account_id,
        )
    )
    return result.first()


async def pending_requests(
    session: AsyncSession, bc_id: str, at: datetime, page: PageQuery
) -> tuple[Sequence[BcAccessRequest], str | None]:
    """A page of the BC's pending, unexpired requests in (created_at, id) order."""
    query = select(BcAccessRequest).where(
        BcAccessRequest.business_center_id == bc_id,
        BcAccessRequest.status == "pending",
        BcAccessRequest.expires_at > at,
    )
    columns = (BcAccessRequest.created_at, BcAccessRequest.id)
    return await keyset_page(session, query, columns, page)


async def withdraw(session: AsyncSession, request_id: str, at: datetime) -> BcAccessRequest | None:
    """Withdraw a pending request in one statement, so it races safely with the owner's scan:
    exactly one of withdrawal and approval matches the pending row. The sealed token goes."""
    result = await session.scalars(
        update(BcAccessRequest)
        .where(
            BcAccessRequest.id == request_id,
            BcAccessRequest.status == "pending",
            BcAccessRequest.expires_at > at,
        )
        .values(status="withdrawn", token_encrypted=None, decided_at=at)
        .returning(BcAccessRequest)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    return result.first()


async def linkage(
    session: AsyncSession, tiktok_account_id: str, user_id: str
) -> AccountLinkage | None:
    result = await session.scalars(
        select(AccountLinkage).where(
            AccountLinkage.tiktok_account_id == tiktok_account_id,
            AccountLinkage.user_id == user_id,
        )
    )
    return result.first()
