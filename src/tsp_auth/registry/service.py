"""Registry rules: who may create what, and what a service change does to its grants."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.audit.service import Actor
from tsp_auth.clock import now
from tsp_auth.coherence import publish, tags
from tsp_auth.db import rows
from tsp_auth.grants.engine import deactivate_service, reduce_access
from tsp_auth.identity.callers import Caller
from tsp_auth.identity.guards import require_operator
from tsp_auth.kit.errors import BadRequest, Conflict, Forbidden, NotFound
from tsp_auth.kit.pagination import PageQuery
from tsp_auth.models import Account, Partner, Seller, Service, ServiceOffer
from tsp_auth.models.base import new_id
from tsp_auth.policy import Authority, Reason, Validity, change_validity
from tsp_auth.registry import repository
from tsp_auth.registry.schemas import (
    AccountCreate,
    MemberCreate,
    PartnerCreate,
    SellerCreate,
    ServiceCreate,
    ServiceUpdate,
)


def _account(kind: str, role: str, data: AccountCreate, **owner: str) -> Account:
    return Account(
        id=new_id("acc"),
        kind=kind,
        role=role,
        name=data.name,
        email=data.email,
        created_at=now(),
        **owner,
    )


async def create_partner(session: AsyncSession, caller: Caller, data: PartnerCreate) -> Partner:
    require_operator(caller)
    partner = Partner(
        id=new_id("ptn"),
        name=data.name,
        region=data.region,
        categories=frozenset(data.categories),
        status="active",
        created_at=now(),
    )
    await rows.add(session, partner)
    return partner


async def visible_partner(session: AsyncSession, caller: Caller, partner_id: str) -> Partner:
    """Operators see every partner; a partner's accounts see their own; others get 404."""
    partner = await repository.get_partner(session, partner_id)
    if partner is None or not (caller.is_operator or caller.partner_id == partner.id):
        raise NotFound("no such partner")
    return partner


async def managed_partner(session: AsyncSession, caller: Caller, partner_id: str) -> Partner:
    partner = await visible_partner(session, caller, partner_id)
    if not (caller.is_operator or caller.is_partner_admin):
        raise Forbidden("only a partner admin may do this", error=Reason.PARTNER_ADMIN_REQUIRED)
    return partner


async def add_member(
    session: AsyncSession, caller: Caller, partner_id: str, data: MemberCreate
) -> Account:
    partner = await managed_partner(session, caller, partner_id)
    account = _account("partner", data.role, data, partner_id=partner.id)
    await rows.add(session, account)
    return account


async def create_seller(
    session: AsyncSession, caller: Caller, data: SellerCreate
) -> tuple[Seller, Account]:
    require_operator(caller)
    seller = Seller(
        id=new_id("slr"), shop_name=data.shop_name, market=data.market, created_at=now()
    )
    await rows.add(session, seller)
    main = _account("seller", "main", data.main_account, seller_id=seller.id)
    await rows.add(session, main)
    return seller, main


async def visible_seller(session: AsyncSession, caller: Caller, seller_id: str) -> Seller:
    seller = await repository.get_seller(session, seller_id)
    if seller is None or not (caller.is_operator or caller.seller_id == seller.id):
        raise NotFound("no such seller")
    return seller


async def add_sub_account(
    session: AsyncSession, caller: Caller, seller_id: str, data: AccountCreate
) -> Account:
    seller = await visible_seller(session, caller, seller_id)
    if not (caller.is_operator or caller.is_seller_main):
        raise Forbidden(
            "only the seller's main account may add accounts", error=Reason.NOT_MAIN_ACCOUNT
        )
    account = _account("seller", "sub", data, seller_id=seller.id)
    await rows.add(session, account)
    return account


async def create_service(session: AsyncSession, caller: Caller, data: ServiceCreate) -> Service:
    partner = await managed_partner(session, caller, data.partner_id)
    service = Service(
        id=new_id("svc"),
        partner_id=partner.id,
        name=data.name,
        visibility=data.visibility,
        category=data.category,
        markets=frozenset(data.markets),
        qualified_items=frozenset(data.qualified_items),
        valid=True,
        return_url=str(data.return_url) if data.return_url else None,
        created_at=now(),
    )
    await rows.add(session, service)
    return service


async def visible_service(session: AsyncSession, caller: Caller, service_id: str) -> Service:
    service = await repository.get_service(session, service_id)
    if service is None or not (caller.is_operator or caller.partner_id == service.partner_id):
        raise NotFound("no such service")
    return service


async def update_service(
    session: AsyncSession, caller: Caller, service_id: str, data: ServiceUpdate
) -> Service:
    service = await visible_service(session, caller, service_id)
    await managed_partner(session, caller, service.partner_id)
    if data.valid is not None:
        # Refused before anything else changes: the request is all or nothing.
        await _set_validity(session, caller, service, data.valid)
    if data.name is not None:
        service.name = data.name
    if data.return_url is not None:
        service.return_url = str(data.return_url)
    await session.flush()
    return service


async def _set_validity(
    session: AsyncSession, caller: Caller, service: Service, valid: bool
) -> None:
    """An operator sets the platform's flag, a partner admin its own (policy.validity)."""
    authority = Authority.PLATFORM if caller.is_operator else Authority.PARTNER
    await repository.lock_service(session, service)
    current = Validity(service.partner_valid, service.platform_invalidated)
    change = change_validity(current, authority, valid)
    if not change.decision.allow:
        note = Actor.of(caller).note(
            "service.updated",
            partner_id=service.partner_id,
            detail={"service_id": service.id, "valid": valid},
        )
        raise Forbidden(
            "the platform has invalidated this service; only the platform can restore it",
            error=change.decision.reason,
        ).audited(note)
    was_valid = service.valid
    service.partner_valid = change.validity.partner_valid
    service.platform_invalidated = change.validity.platform_invalidated
    service.valid = change.validity.valid
    await publish(session, tags.service(service.id))
    if was_valid and not service.valid:
        # DESIGN §2: a service that stops being valid deactivates its grants.
        deactivation = deactivate_service(service.id, reason=Reason.SERVICE_NOT_VALID)
        await reduce_access(session, deactivation, actor=Actor.of(caller), at=now())


async def offer_service(
    session: AsyncSession, caller: Caller, service_id: str, seller_id: str
) -> ServiceOffer:
    service = await visible_service(session, caller, service_id)
    await managed_partner(session, caller, service.partner_id)
    if service.visibility != "custom":
        raise BadRequest("only custom services are offered to named sellers")
    if await repository.get_seller(session, seller_id) is None:
        raise NotFound("no such seller", error=Reason.UNKNOWN_SELLER)
    if await repository.has_offer(session, service_id, seller_id):
        raise Conflict("already offered to this seller", error=Reason.ALREADY_OFFERED)
    offer = ServiceOffer(service_id=service_id, seller_id=seller_id)
    await rows.add(session, offer)
    return offer


async def partner_members(
    session: AsyncSession, caller: Caller, partner_id: str, page: PageQuery
) -> tuple[Sequence[Account], str | None]:
    partner = await visible_partner(session, caller, partner_id)
    return await repository.partner_members(session, partner.id, page)


async def list_services(
    session: AsyncSession, caller: Caller, page: PageQuery
) -> tuple[Sequence[Service], str | None]:
    """Operators see every service; a partner's accounts their partner's; others none."""
    if caller.is_operator:
        return await repository.services_page(session, None, page)
    if caller.partner_id is not None:
        return await repository.services_page(session, caller.partner_id, page)
    return [], None
