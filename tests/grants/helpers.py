"""A seller with one TSP access grant to one partner's service: the starting point of most
grant tests. Helpers re-read rows through a fresh session, to prove what was (not) written."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from tests.factories import Factory
from tsp_auth.grants.terms import NewGrant
from tsp_auth.models import (
    Account,
    AuditEvent,
    Binding,
    Grant,
    Partner,
    Seller,
    Service,
    WebhookDelivery,
)
from tsp_auth.models.grants import TSP_ACCESS


@dataclass
class World:
    partner: Partner
    service: Service
    seller: Seller
    main: Account
    grant: Grant


async def make_world(factory: Factory) -> World:
    partner = await factory.partner()
    service = await factory.service(partner)
    seller, main = await factory.seller("UK")
    grant = await factory.grant(
        seller, service, roles=("products", "orders", "marketing"), consented_by=main
    )
    return World(partner, service, seller, main, grant)


def same_pair_terms(world: World, roles: frozenset[str]) -> NewGrant:
    """The world's grant consented again: same seller, partner, service and binding."""
    return NewGrant(
        kind=TSP_ACCESS,
        grantor_id=world.seller.id,
        grantee_id=world.partner.id,
        consented_by=world.main.id,
        service_id=world.service.id,
        binding_id=world.grant.binding_id,
        market=world.seller.market,
        items=world.grant.items,
        roles=roles,
        areas=world.grant.areas,
        duration_days=30,
    )


async def stored(factory: Factory, grant_id: str) -> Grant:
    async with factory.app.state.sessionmaker() as session:
        grant = await session.get(Grant, grant_id)
        assert grant is not None
        return grant


async def stored_binding(factory: Factory, binding_id: str) -> Binding:
    async with factory.app.state.sessionmaker() as session:
        binding = await session.get(Binding, binding_id)
        assert binding is not None
        return binding


async def events_of(factory: Factory, grant_id: str) -> list[AuditEvent]:
    async with factory.app.state.sessionmaker() as session:
        rows = await session.scalars(select(AuditEvent).where(AuditEvent.grant_id == grant_id))
        return list(rows)


async def deliveries(factory: Factory) -> list[WebhookDelivery]:
    async with factory.app.state.sessionmaker() as session:
        return list(await session.scalars(select(WebhookDelivery)))
