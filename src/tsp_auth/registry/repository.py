"""SQL for the registry. Functions take the request's session and only flush."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.db.keyset import keyset_page
from tsp_auth.kit.pagination import PageQuery
from tsp_auth.models import Account, Binding, Partner, Seller, Service, ServiceOffer


async def get_account(session: AsyncSession, account_id: str) -> Account | None:
    return await session.get(Account, account_id)


async def get_partner(session: AsyncSession, partner_id: str) -> Partner | None:
    return await session.get(Partner, partner_id)


async def get_seller(session: AsyncSession, seller_id: str) -> Seller | None:
    return await session.get(Seller, seller_id)


async def get_service(session: AsyncSession, service_id: str) -> Service | None:
    return await session.get(Service, service_id)


# The row partner_apps keeps for an app's own ``app_…`` service id, so that its authorization
# requests have a service (docs/partner-apps.md). It is not a service a partner publishes.
APP_SERVICE_CATEGORY = "partner_app"
_PUBLISHED = Service.category != APP_SERVICE_CATEGORY


async def partner_services(session: AsyncSession, partner_id: str) -> Sequence[Service]:
    result = await session.scalars(
        select(Service)
        .where(Service.partner_id == partner_id, _PUBLISHED)
        .order_by(Service.created_at)
    )
    return result.all()


async def services_page(
    session: AsyncSession, partner_id: str | None, page: PageQuery
) -> tuple[Sequence[Service], str | None]:
    """Published services, of one partner or (``partner_id`` None) of all, a page of them."""
    query = select(Service).where(_PUBLISHED)
    if partner_id is not None:
        query = query.where(Service.partner_id == partner_id)
    return await keyset_page(session, query, (Service.created_at, Service.id), page)


async def offered_seller_ids(
    session: AsyncSession, service_ids: Sequence[str]
) -> dict[str, set[str]]:
    rows = await session.execute(
        select(ServiceOffer.service_id, ServiceOffer.seller_id).where(
            ServiceOffer.service_id.in_(service_ids)
        )
    )
    offers: dict[str, set[str]] = {}
    for service_id, seller_id in rows:
        offers.setdefault(service_id, set()).add(seller_id)
    return offers


async def has_offer(session: AsyncSession, service_id: str, seller_id: str) -> bool:
    return await session.get(ServiceOffer, (service_id, seller_id)) is not None


async def partner_members(
    session: AsyncSession, partner_id: str, page: PageQuery
) -> tuple[Sequence[Account], str | None]:
    query = select(Account).where(Account.partner_id == partner_id)
    return await keyset_page(session, query, (Account.created_at, Account.id), page)


async def active_binding(session: AsyncSession, seller_id: str, partner_id: str) -> Binding | None:
    result = await session.scalars(
        select(Binding).where(
            Binding.seller_id == seller_id,
            Binding.partner_id == partner_id,
            Binding.status == "active",
        )
    )
    return result.first()


async def lock_service(session: AsyncSession, service: Service) -> None:
    """Re-read ``service`` holding its row lock until the request's transaction ends, so two
    validity changes at once (operator and partner) apply one after the other, each to the
    other's result, instead of the later one writing flags it read before the first."""
    await session.refresh(service, with_for_update=True)
