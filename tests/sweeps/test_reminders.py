"""``grant.expiring`` 30, 7 and 1 days before expiry: once each per expiry, by the database."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta

from fastapi import FastAPI
from httpx import AsyncClient

from tests.consent.helpers import decision, open_link, pick
from tests.factories import Factory
from tests.webhooks.helpers import OpsWorld, deliveries, make_ops_world, rows
from tests.webhooks.receiver import Receiver
from tsp_auth.clock import now
from tsp_auth.models import GrantReminder, WebhookDelivery
from tsp_auth.sweeps.service import sweep


async def _reminders(app: FastAPI) -> list[tuple[str, int, datetime]]:
    queued = await deliveries(app, WebhookDelivery.event_type == "grant.expiring")
    return [
        (
            d["data"]["grant_id"],
            d["data"]["days_left"],
            datetime.fromisoformat(d["data"]["expires_at"]),
        )
        for d in (json.loads(q.body) for q in queued)
    ]


async def test_each_reminder_goes_out_once_as_expiry_nears(
    factory: Factory, world: OpsWorld
) -> None:
    expires_at = world.grant.expires_at
    assert expires_at is not None
    sessionmaker = factory.app.state.sessionmaker
    timeline = [
        (expires_at - timedelta(days=45), 0),
        (expires_at - timedelta(days=29), 1),
        (expires_at - timedelta(days=28), 0),
        (expires_at - timedelta(days=6, hours=23), 1),
        (expires_at - timedelta(days=6), 0),
        (expires_at - timedelta(hours=20), 1),
        (expires_at - timedelta(hours=1), 0),
    ]
    for at, sent in timeline:
        assert (await sweep(sessionmaker, now=at)).reminded == sent, at
    assert await _reminders(factory.app) == [
        (world.grant.id, 30, expires_at),
        (world.grant.id, 7, expires_at),
        (world.grant.id, 1, expires_at),
    ]
    assert (await sweep(sessionmaker, now=expires_at)).expired == 1
    assert (await sweep(sessionmaker, now=expires_at + timedelta(hours=1))).reminded == 0


async def test_a_late_sweep_sends_only_the_tightest_reminder(
    factory: Factory, world: OpsWorld
) -> None:
    expires_at = world.grant.expires_at
    assert expires_at is not None
    await sweep(factory.app.state.sessionmaker, now=expires_at - timedelta(days=3))
    assert [days for _, days, _ in await _reminders(factory.app)] == [7]


async def test_a_short_grant_gets_no_reminder_longer_than_itself(
    factory: Factory, world: OpsWorld
) -> None:
    short = await factory.grant(
        world.seller, await factory.service(world.partner), duration_days=30
    )
    sessionmaker = factory.app.state.sessionmaker
    await sweep(sessionmaker, now=now() + timedelta(minutes=1))
    assert await _reminders(factory.app) == []
    assert short.expires_at is not None
    await sweep(sessionmaker, now=short.expires_at - timedelta(days=5))
    assert [(g, d) for g, d, _ in await _reminders(factory.app)] == [(short.id, 7)]


async def test_a_renewal_allows_the_reminders_of_the_new_period(
    client: AsyncClient, factory: Factory, world: OpsWorld
) -> None:
    old_expiry = world.grant.expires_at
    assert old_expiry is not None
    sessionmaker = factory.app.state.sessionmaker
    await sweep(sessionmaker, now=old_expiry - timedelta(days=20))
    request_id = await open_link(client, world.service.id)
    renewed = await client.post(
        f"/v1/authorization-requests/{request_id}/accept",
        json=decision(pick(world.service)),
        headers=await factory.headers(world.main),
    )
    assert renewed.status_code == 200 and renewed.json()["grants"][0]["renewed"]
    new_expiry = datetime.fromisoformat(renewed.json()["grants"][0]["expires_at"])
    assert new_expiry > old_expiry
    await sweep(sessionmaker, now=new_expiry - timedelta(days=20))
    assert await _reminders(factory.app) == [
        (world.grant.id, 30, old_expiry),
        (world.grant.id, 30, new_expiry),
    ]


async def test_sweeps_twice_and_at_once_send_one_reminder_per_grant_and_days(
    committed_app: FastAPI, committed_client: AsyncClient, receiver: Receiver
) -> None:
    factory = Factory(committed_app, committed_client)
    world = await make_ops_world(factory, receiver.url, ["grant.expiring"])
    grants = [world.grant]
    for _ in range(7):
        grants.append(await factory.grant(world.seller, await factory.service(world.partner)))
    at = now() + timedelta(days=65)  # 90-day grants: the 30-day window
    sessionmaker = committed_app.state.sessionmaker
    results = await asyncio.gather(*(sweep(sessionmaker, now=at, limit=3) for _ in range(4)))
    results.append(await sweep(sessionmaker, now=at))
    assert sum(r.reminded for r in results) == len(grants)
    sent = await _reminders(committed_app)
    assert sorted((g, d) for g, d, _ in sent) == sorted((g.id, 30) for g in grants)
    assert len(await rows(committed_app, GrantReminder)) == len(grants)
