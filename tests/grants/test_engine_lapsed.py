"""The engine on grants whose time is up before the sweep, on rows that left the state it read,
and on the records each change leaves (docs/testing.md, survivors of the mutation run)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.consent.helpers import set_row
from tests.factories import Factory
from tests.grants.helpers import World, events_of, same_pair_terms, stored
from tsp_auth.audit.service import SYSTEM
from tsp_auth.clock import now
from tsp_auth.grants.engine import (
    ExpireLapsed,
    deactivate_service,
    record_grant,
    reduce_access,
    renew_grant,
)
from tsp_auth.grants.terms import NewGrant
from tsp_auth.kit.errors import Conflict
from tsp_auth.models import Grant


def _renewal(world: World) -> NewGrant:
    return same_pair_terms(world, frozenset({"orders"}))


async def test_a_grant_whose_time_is_up_is_renewed_even_where_one_in_force_may_not_be(
    factory: Factory, world: World
) -> None:
    """seed 002 FAQ: an expired authorization is renewed by sending the link again; the sweep
    not having marked it yet changes nothing (its status still says active)."""
    await set_row(factory.app, Grant, world.grant.id, expires_at=now() - timedelta(seconds=1))
    at = now()
    async with factory.app.state.sessionmaker() as session, session.begin():
        recorded = await record_grant(session, _renewal(world), at, renew_in_force=False)
    assert recorded.renewed and recorded.grant.id == world.grant.id
    saved = await stored(factory, world.grant.id)
    assert (saved.status, saved.version, saved.roles) == ("active", 2, frozenset({"orders"}))
    assert saved.expires_at is not None and saved.expires_at > at


async def test_renewing_a_grant_that_left_the_renewable_states_is_a_conflict(
    factory: Factory, world: World
) -> None:
    await set_row(factory.app, Grant, world.grant.id, status="cancelled")
    async with factory.app.state.sessionmaker() as session, session.begin():
        with pytest.raises(Conflict) as refused:
            await renew_grant(session, world.grant.id, _renewal(world), now())
    assert refused.value.error == "conflict"
    assert refused.value.description == "the authorization changed meanwhile; retry"
    saved = await stored(factory, world.grant.id)
    assert (saved.status, saved.version) == ("cancelled", 1)


async def test_deactivating_a_service_stores_the_reason_on_each_grant(
    factory: Factory, world: World
) -> None:
    change = deactivate_service(world.service.id, "service_invalidated")
    async with factory.app.state.sessionmaker() as session, session.begin():
        ended = await reduce_access(session, change, actor=SYSTEM, at=now())
    assert ended == [world.grant.id]
    saved = await stored(factory, world.grant.id)
    assert (saved.status, saved.status_reason) == ("deactivated", "service_invalidated")
    [event] = await events_of(factory, world.grant.id)
    assert event.action == "grant.deactivated"


async def test_the_sweep_records_each_lapsed_grant_as_expired(
    factory: Factory, world: World
) -> None:
    await set_row(factory.app, Grant, world.grant.id, expires_at=now() - timedelta(seconds=1))
    async with factory.app.state.sessionmaker() as session, session.begin():
        expired = await reduce_access(session, ExpireLapsed(limit=10), actor=SYSTEM, at=now())
    assert expired == [world.grant.id]
    assert (await stored(factory, world.grant.id)).status == "expired"
    [event] = await events_of(factory, world.grant.id)
    assert event.action == "grant.expired"


# On PostgreSQL this found expire() moving more than ``limit`` grants when its batch was a
# subquery of the UPDATE (the planner may run it twice); the batch is a MATERIALIZED CTE now.
async def test_the_sweep_expires_no_more_than_its_limit_at_a_time(
    factory: Factory, world: World
) -> None:
    seller, _ = await factory.seller("UK")
    second = await factory.grant(seller, world.service)
    lapsed = now() - timedelta(seconds=1)
    for grant_id in (world.grant.id, second.id):
        await set_row(factory.app, Grant, grant_id, expires_at=lapsed)
    async with factory.app.state.sessionmaker() as session, session.begin():
        first = await reduce_access(session, ExpireLapsed(limit=1), actor=SYSTEM, at=now())
    async with factory.app.state.sessionmaker() as session, session.begin():
        rest = await reduce_access(session, ExpireLapsed(limit=1), actor=SYSTEM, at=now())
    assert len(first) == len(rest) == 1
    assert set(first + rest) == {world.grant.id, second.id}
