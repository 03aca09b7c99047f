"""The grant engine called directly: what it writes, and what it leaves alone when the database
says no. The flows' own tests (consent, partner apps, Business Center, sweep) drive it over
HTTP; these pin the engine's contract those flows rely on."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from sqlalchemy import select

from tests.factories import Factory
from tests.grants.helpers import World, deliveries, events_of, same_pair_terms, stored
from tests.webhooks.helpers import register_endpoint
from tsp_auth.audit.service import SYSTEM
from tsp_auth.clock import now
from tsp_auth.grants.engine import create_grant, end_grant, record_grant, reduce_access, widen_grant
from tsp_auth.kit.errors import Conflict
from tsp_auth.models import Grant
from tsp_auth.policy import GrantStatus


async def _grants_of(factory: Factory, seller_id: str) -> list[Grant]:
    async with factory.app.state.sessionmaker() as session:
        return list(await session.scalars(select(Grant).where(Grant.grantor_id == seller_id)))


async def _watch(client: AsyncClient, factory: Factory, world: World) -> None:
    admin = await factory.account("partner", "admin", partner_id=world.partner.id)
    events = ["grant.cancelled", "grant.renewed"]
    await register_endpoint(client, await factory.headers(admin), "https://p.example/h", events)


async def test_an_end_from_a_stale_version_writes_nothing(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    await _watch(client, factory, world)
    stale = end_grant(
        world.grant.id, GrantStatus.CANCELLED, "test", version=world.grant.version + 1
    )
    async with factory.app.state.sessionmaker() as session, session.begin():
        ended = await reduce_access(session, stale, actor=SYSTEM, at=now())
    assert ended == []
    saved = await stored(factory, world.grant.id)
    assert (saved.status, saved.version) == ("active", 1)
    assert await events_of(factory, world.grant.id) == []
    assert await deliveries(factory) == []


async def test_an_end_records_the_grant_event_and_its_webhook(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    await _watch(client, factory, world)
    end = end_grant(world.grant.id, GrantStatus.CANCELLED, "test", version=world.grant.version)
    async with factory.app.state.sessionmaker() as session, session.begin():
        ended = await reduce_access(session, end, actor=SYSTEM, at=now())
    assert ended == [world.grant.id]
    saved = await stored(factory, world.grant.id)
    assert (saved.status, saved.status_reason, saved.version) == ("cancelled", "test", 2)
    [event] = await events_of(factory, world.grant.id)
    assert (event.action, event.actor_type, event.detail["version"]) == (
        "grant.cancelled",
        "system",
        2,
    )
    [delivery] = await deliveries(factory)
    assert delivery.event_type == "grant.cancelled"


async def test_a_flow_detail_replaces_the_grant_terms_and_sends_no_webhook(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    """What Business Center cancels use: their event names the business center instead."""
    await _watch(client, factory, world)
    end = end_grant(world.grant.id, GrantStatus.CANCELLED, "owner_cancelled")
    async with factory.app.state.sessionmaker() as session, session.begin():
        await reduce_access(session, end, actor=SYSTEM, at=now(), detail={"reason": "why"})
    [event] = await events_of(factory, world.grant.id)
    assert (event.action, event.detail) == ("grant.cancelled", {"reason": "why"})
    assert await deliveries(factory) == []


async def test_create_grant_yields_to_the_active_grant_of_the_pair(
    factory: Factory, world: World
) -> None:
    async with factory.app.state.sessionmaker() as session, session.begin():
        assert await create_grant(session, same_pair_terms(world, frozenset()), now()) is None
        # The refused insert was a savepoint: the transaction goes on.
        assert await session.get(Grant, world.grant.id) is not None
    assert [g.id for g in await _grants_of(factory, world.seller.id)] == [world.grant.id]


async def test_record_grant_renews_the_active_grant_in_place(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    at = now()
    async with factory.app.state.sessionmaker() as session, session.begin():
        recorded = await record_grant(session, same_pair_terms(world, frozenset({"orders"})), at)
    assert recorded.renewed and recorded.grant.id == world.grant.id
    saved = await stored(factory, world.grant.id)
    assert (saved.version, saved.roles, saved.duration_days) == (2, frozenset({"orders"}), 30)
    assert saved.expires_at is not None and saved.expires_at > at
    assert [g.id for g in await _grants_of(factory, world.seller.id)] == [world.grant.id]


async def test_record_grant_told_not_to_renew_a_grant_in_force_is_409(
    factory: Factory, world: World
) -> None:
    new = same_pair_terms(world, frozenset({"orders"}))
    async with factory.app.state.sessionmaker() as session, session.begin():
        with pytest.raises(Conflict) as refused:
            await record_grant(session, new, now(), renew_in_force=False)
    assert refused.value.error == "already_authorized"
    assert (await stored(factory, world.grant.id)).version == 1


async def test_widen_grant_from_a_stale_read_changes_nothing(
    factory: Factory, world: World
) -> None:
    async with factory.app.state.sessionmaker() as session, session.begin():
        fresh = await session.get(Grant, world.grant.id)
        assert fresh is not None
        widened = await widen_grant(session, fresh, frozenset({"video.list"}), now())
        assert widened is not None and widened.version == 2
        assert widened.scopes == frozenset({"video.list"})
        # ``world.grant`` was read at version 1: the database refuses it.
        assert await widen_grant(session, world.grant, frozenset({"other"}), now()) is None
    saved = await stored(factory, world.grant.id)
    assert (saved.version, saved.scopes) == (2, frozenset({"video.list"}))
