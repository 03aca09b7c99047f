"""SQL for partner authorization. Functions take the request's session and only flush."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.grants import repository as grants_repository
from tsp_auth.models import Client, Grant, Partner, Service
from tsp_auth.registry.repository import APP_SERVICE_CATEGORY

PARTNER_APP = "partner_app"


def _app_service(client: Client, at: datetime) -> Service:
    assert client.service_id is not None
    assert client.partner_id is not None
    # No markets, custom, offered to nobody: never one of the services a seller can pick.
    return Service(
        id=client.service_id,
        partner_id=client.partner_id,
        name=client.name,
        visibility="custom",
        category=APP_SERVICE_CATEGORY,
        markets=frozenset(),
        qualified_items=frozenset(),
        valid=True,
        return_url=None,
        created_at=at,
    )


async def ensure_app_service(session: AsyncSession, client: Client, at: datetime) -> Service:
    """The app's service row, made on first use; a concurrent maker may win (savepoint)."""
    assert client.service_id is not None
    found = await session.get(Service, client.service_id)
    if found is not None:
        return found
    row = _app_service(client, at)
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        found = await session.get(Service, client.service_id, populate_existing=True)
        assert found is not None
        return found
    return row


async def active_grant(session: AsyncSession, partner_id: str, service_id: str) -> Grant | None:
    """The partner's active authorization of this app: the one a new consent renews."""
    return await grants_repository.current_grant(
        session, PARTNER_APP, partner_id, service_id=service_id
    )


async def grantor_grant(session: AsyncSession, partner_id: str, grant_id: str) -> Grant | None:
    """A partner authorization granted by ``partner_id``; another partner's does not exist."""
    return await session.scalar(
        select(Grant)
        .where(Grant.id == grant_id, Grant.kind == PARTNER_APP, Grant.grantor_id == partner_id)
        .execution_options(populate_existing=True)
    )


async def authorizations(
    session: AsyncSession, partner_id: str, grant_id: str | None = None
) -> Sequence[tuple[Grant, Client | None, Partner | None]]:
    """The authorizations the partner granted (or one), newest first, with app and owner."""
    statement = (
        select(Grant, Client, Partner)
        .outerjoin(Client, Client.id == Grant.grantee_id)
        .outerjoin(Partner, Partner.id == Client.partner_id)
        .where(Grant.kind == PARTNER_APP, Grant.grantor_id == partner_id)
        .order_by(Grant.created_at.desc(), Grant.id)
        .execution_options(populate_existing=True)
    )
    if grant_id is not None:
        statement = statement.where(Grant.id == grant_id)
    rows = await session.execute(statement)
    return [(row[0], row[1], row[2]) for row in rows]
