"""What the engine writes when it creates, renews or ends grants: each field of a new grant, the
right service's grant and only it, the time of the change (docs/testing.md, survivors)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from httpx import AsyncClient

from tests.consent.helpers import set_row
from tests.factories import Factory
from tests.grants.helpers import World, deliveries, events_of, stored
from tests.webhooks.helpers import register_endpoint
from tsp_auth.audit.service import SYSTEM
from tsp_auth.clock import now
from tsp_auth.grants.engine import deactivate_service, record_grant, reduce_access
from tsp_auth.grants.repository import TSP_ACCESS
from tsp_auth.grants.terms import NewGrant
from tsp_auth.kit.errors import Conflict
from tsp_auth.models import Grant, Service


def _for(world: World, service: Service) -> NewGrant:
    return NewGrant(
        kind=TSP_ACCESS,
        grantor_id=world.seller.id,
        grantee_id=world.partner.id,
        consented_by=world.main.id,
        service_id=service.id,
        binding_id=world.grant.binding_id,
        market=world.seller.market,
        items=frozenset({"data_compass"}),
        roles=frozenset(),
        areas=frozenset({"live"}),
        duration_days=30,
    )


async def test_a_first_authorization_of_a_service_creates_its_grant_at_version_1(
    factory: Factory, world: World
) -> None:
    """The seller's grant of another service of the same partner is not renewed instead."""
    second = await factory.service(world.partner)
    at = now()
    async with factory.app.state.sessionmaker() as session, session.begin():
        recorded = await record_grant(session, _for(world, second), at)
    assert recorded.renewed is False
    created = await stored(factory, recorded.grant.id)
    assert created.id.startswith("grt_") and created.id != world.grant.id
    assert (created.kind, created.grantor_id, created.grantee_id, created.service_id) == (
        TSP_ACCESS,
        world.seller.id,
        world.partner.id,
        second.id,
    )
    assert (created.version, created.status, created.created_at) == (1, "active", at)
    assert created.expires_at == at + timedelta(days=30)
    assert (await stored(factory, world.grant.id)).version == 1  # the other grant, untouched


async def test_a_swept_expired_grant_is_renewed_where_expired_grants_are_renewable(
    factory: Factory, world: World
) -> None:
    """seed 002 FAQ: renew by sending the link again; consent renews active or expired grants."""
    await set_row(factory.app, Grant, world.grant.id, status="expired")
    async with factory.app.state.sessionmaker() as session, session.begin():
        recorded = await record_grant(
            session, _for(world, world.service), now(), renewable=("active", "expired")
        )
    assert recorded.renewed and recorded.grant.id == world.grant.id
    saved = await stored(factory, world.grant.id)
    assert (saved.status, saved.version) == ("active", 2)


async def test_a_grant_in_force_is_not_renewed_when_told_not_to_and_the_message_says_why(
    factory: Factory, world: World
) -> None:
    async with factory.app.state.sessionmaker() as session, session.begin():
        with pytest.raises(Conflict) as refused:
            await record_grant(session, _for(world, world.service), now(), renew_in_force=False)
    assert (refused.value.error, refused.value.description) == (
        "already_authorized",
        "this service was authorized meanwhile; reload and choose again",
    )


async def test_deactivating_a_service_ends_its_grants_only_and_dates_the_change(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    admin = await factory.account("partner", "admin", partner_id=world.partner.id)
    await register_endpoint(
        client, await factory.headers(admin), "https://p.example/h", ["grant.deactivated"]
    )
    other = await factory.service(world.partner)
    seller, _ = await factory.seller("UK")
    untouched = await factory.grant(seller, other)
    at = now() - timedelta(minutes=5)  # the time the change is recorded at, not the clock's
    async with factory.app.state.sessionmaker() as session, session.begin():
        ended = await reduce_access(
            session, deactivate_service(world.service.id, "invalid"), actor=SYSTEM, at=at
        )
    assert ended == [world.grant.id]
    assert (await stored(factory, untouched.id)).status == "active"
    [event] = await events_of(factory, world.grant.id)
    assert event.action == "grant.deactivated"
    [delivery] = await deliveries(factory)
    sent = json.loads(delivery.body)
    assert (sent["type"], sent["created_at"]) == ("grant.deactivated", at.isoformat())
