"""SQL for clients. Functions take the request's session and only flush."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.db.keyset import keyset_page
from tsp_auth.kit.pagination import PageQuery
from tsp_auth.models import Client


async def get(session: AsyncSession, client_id: str) -> Client | None:
    return await session.get(Client, client_id)


async def by_service(session: AsyncSession, service_id: str) -> Client | None:
    return await session.scalar(select(Client).where(Client.service_id == service_id))


async def listed(
    session: AsyncSession, partner_id: str | None, page: PageQuery
) -> tuple[Sequence[Client], str | None]:
    """Every client (operators, ``partner_id`` None) or one partner's apps, a page of them."""
    statement = select(Client)
    if partner_id is not None:
        statement = statement.where(Client.partner_id == partner_id)
    return await keyset_page(session, statement, (Client.created_at, Client.id), page)
