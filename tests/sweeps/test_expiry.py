"""The sweep stores ``expired`` once per grant, with its audit event and webhook."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from fastapi import FastAPI
from httpx import AsyncClient

from tests.factories import Factory
from tests.grants.helpers import stored
from tests.webhooks.helpers import (
    OpsWorld,
    audit_events,
    deliveries,
    make_ops_world,
    readme_verifier,
    run_worker,
)
from tests.webhooks.receiver import Receiver
from tsp_auth.clock import now
from tsp_auth.models import AuditEvent
from tsp_auth.observability.metrics import GRANT_TRANSITIONS
from tsp_auth.sweeps.service import sweep


def _expired_count() -> float:
    return GRANT_TRANSITIONS.labels("expired")._value.get()


async def test_lapsed_grants_expire_once_with_event_and_webhook(
    factory: Factory, world: OpsWorld, receiver: Receiver
) -> None:
    lapsed = await factory.grant(
        world.seller, await factory.service(world.partner), expires_at=now() - timedelta(days=1)
    )
    cancelled = await factory.grant(
        world.seller,
        await factory.service(world.partner),
        expires_at=now() - timedelta(days=1),
        status="cancelled",
    )
    counted = _expired_count()

    result = await sweep(factory.app.state.sessionmaker)

    assert (result.expired, result.reminded) == (1, 0)
    saved = await stored(factory, lapsed.id)
    assert (saved.status, saved.version) == ("expired", 2)
    assert (await stored(factory, world.grant.id)).status == "active"
    assert (await stored(factory, cancelled.id)).status == "cancelled"
    [event] = await audit_events(factory.app)
    assert (event.action, event.actor_type, event.actor_id, event.grant_id) == (
        "grant.expired",
        "system",
        None,
        lapsed.id,
    )
    assert (event.seller_id, event.partner_id) == (world.seller.id, world.partner.id)
    assert _expired_count() == counted + 1
    assert (await sweep(factory.app.state.sessionmaker)).expired == 0

    await run_worker(factory.app)
    [request] = receiver.requests
    delivered = readme_verifier()(world.secret, request.headers, request.body)
    assert delivered["type"] == "grant.expired"
    assert delivered["data"]["grant_id"] == lapsed.id


async def test_a_sweep_in_the_future_expires_what_will_have_lapsed(
    factory: Factory, world: OpsWorld
) -> None:
    expires_at = world.grant.expires_at
    assert expires_at is not None
    assert (await sweep(factory.app.state.sessionmaker, now=expires_at)).expired == 1
    assert (await stored(factory, world.grant.id)).status == "expired"


async def test_concurrent_sweeps_expire_each_grant_once(
    committed_app: FastAPI, committed_client: AsyncClient, receiver: Receiver
) -> None:
    factory = Factory(committed_app, committed_client)
    world = await make_ops_world(factory, receiver.url, ["grant.expired"])
    lapsed = [
        await factory.grant(
            world.seller,
            await factory.service(world.partner),
            expires_at=now() - timedelta(minutes=5),
        )
        for _ in range(12)
    ]
    sessionmaker = committed_app.state.sessionmaker
    results = await asyncio.gather(*(sweep(sessionmaker, limit=5) for _ in range(3)))
    assert sum(r.expired for r in results) == len(lapsed)
    for grant in lapsed:
        saved = await stored(factory, grant.id)
        assert (saved.status, saved.version) == ("expired", 2)
    events = await audit_events(committed_app, AuditEvent.action == "grant.expired")
    assert sorted(e.grant_id for e in events) == sorted(g.id for g in lapsed)
    assert len(await deliveries(committed_app)) == len(lapsed)
