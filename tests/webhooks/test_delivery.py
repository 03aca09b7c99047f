"""Delivery to a real receiver on 127.0.0.1: signatures, retries, leases, give-up, cancels."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import timedelta

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession
from standardwebhooks import WebhookVerificationError

from tests.factories import Factory
from tests.webhooks.helpers import (
    OpsWorld,
    attempts,
    deliveries,
    readme_verifier,
    register_endpoint,
    run_worker,
)
from tests.webhooks.receiver import Receiver
from tsp_auth.clock import now
from tsp_auth.models import WebhookDelivery
from tsp_auth.observability.metrics import WEBHOOK_DELIVERIES
from tsp_auth.webhooks.delivery import (
    claim_due,
    deliver_batch,
    http_client,
    lease_for,
    record,
    send,
)
from tsp_auth.webhooks.outbox import emit


async def _cancel(client: AsyncClient, factory: Factory, world: OpsWorld) -> None:
    response = await client.post(
        f"/v1/grants/{world.grant.id}/cancel", headers=await factory.headers(world.main)
    )
    assert response.status_code == 200, response.text


def _delivered() -> float:
    return WEBHOOK_DELIVERIES.labels("delivered")._value.get()


async def test_a_change_is_delivered_signed_once(
    client: AsyncClient, factory: Factory, world: OpsWorld, receiver: Receiver
) -> None:
    await _cancel(client, factory, world)
    [queued] = await deliveries(factory.app)
    assert (queued.status, queued.event_type, queued.attempts) == ("pending", "grant.cancelled", 0)
    before = _delivered()

    run = await run_worker(factory.app)

    assert run.deliveries == {"delivered": 1}
    assert _delivered() == before + 1
    [request] = receiver.requests
    assert request.path == "/hooks"
    event = readme_verifier()(world.secret, request.headers, request.body)
    assert event["type"] == "grant.cancelled" and event["id"] == queued.event_id
    assert event["data"]["grant_id"] == world.grant.id
    assert event["data"]["status"] == "cancelled" and event["data"]["version"] == 2
    assert request.headers["content-type"] == "application/json"
    [stored] = await deliveries(factory.app)
    assert (stored.status, stored.attempts, stored.lease_id) == ("delivered", 1, None)
    [attempt] = await attempts(factory.app, stored.id)
    assert (attempt.number, attempt.status_code, attempt.error, attempt.outcome) == (
        1,
        200,
        None,
        "delivered",
    )
    assert attempt.duration_ms >= 0
    assert (await run_worker(factory.app)).deliveries == {}
    assert len(receiver.requests) == 1


async def test_a_tampered_delivery_fails_verification(
    client: AsyncClient, factory: Factory, world: OpsWorld, receiver: Receiver
) -> None:
    await _cancel(client, factory, world)
    await run_worker(factory.app)
    [request] = receiver.requests
    verify = readme_verifier()
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        verify(world.secret, request.headers, request.body.replace(b"cancelled", b"active"))
    other_secret = "whsec_" + base64.b64encode(b"x" * 32).decode()
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        verify(other_secret, request.headers, request.body)
    forged_id = {**request.headers, "webhook-id": "evt_other"}
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        verify(world.secret, forged_id, request.body)


async def test_a_delivery_signed_long_ago_fails_verification(
    client: AsyncClient, factory: Factory, world: OpsWorld, receiver: Receiver
) -> None:
    """The timestamp is signed: a captured delivery cannot be replayed an hour later."""
    await _cancel(client, factory, world)
    await run_worker(factory.app, now=now() + timedelta(hours=1))
    [request] = receiver.requests
    with pytest.raises(WebhookVerificationError, match="timestamp too new"):
        readme_verifier()(world.secret, request.headers, request.body)


async def test_a_500_is_retried_after_the_backoff(
    client: AsyncClient, factory: Factory, world: OpsWorld, receiver: Receiver
) -> None:
    receiver.answer(500)
    await _cancel(client, factory, world)
    t0 = now()

    first = await run_worker(factory.app, now=t0)

    assert first.deliveries == {"retrying": 1}
    [row] = await deliveries(factory.app)
    assert (row.status, row.attempts, row.next_attempt_at) == (
        "pending",
        1,
        t0 + timedelta(seconds=10),
    )
    assert (await run_worker(factory.app, now=t0 + timedelta(seconds=9))).deliveries == {}
    assert len(receiver.requests) == 1

    second = await run_worker(factory.app, now=t0 + timedelta(seconds=11))

    assert second.deliveries == {"delivered": 1}
    one, two = receiver.requests
    assert one.body == two.body and one.headers["webhook-id"] == two.headers["webhook-id"]
    verify = readme_verifier()
    for request in (one, two):
        verify(world.secret, request.headers, request.body)
    [row] = await deliveries(factory.app)
    assert (row.status, row.attempts) == ("delivered", 2)
    tried = await attempts(factory.app, row.id)
    assert [(a.number, a.status_code, a.outcome) for a in tried] == [
        (1, 500, "retrying"),
        (2, 200, "delivered"),
    ]


async def test_it_gives_up_after_the_last_attempt(
    client: AsyncClient, factory: Factory, world: OpsWorld, receiver: Receiver
) -> None:
    max_attempts = factory.app.state.settings.webhook_max_attempts
    receiver.answer(*[503] * max_attempts)
    await _cancel(client, factory, world)
    at = now()
    waits = []
    for _ in range(max_attempts):
        await run_worker(factory.app, now=at)
        [row] = await deliveries(factory.app)
        waits.append(row.next_attempt_at - at)
        at = row.next_attempt_at
    assert (row.status, row.attempts) == ("failed", max_attempts)
    assert waits[:4] == [timedelta(seconds=s) for s in (10, 20, 40, 80)]
    assert (await run_worker(factory.app, now=at + timedelta(days=1))).deliveries == {}
    assert len(receiver.requests) == max_attempts
    assert (await attempts(factory.app, row.id))[-1].outcome == "failed"


async def test_a_connection_error_is_recorded_and_retried(
    client: AsyncClient, factory: Factory, receiver: Receiver
) -> None:
    partner = await factory.partner()
    admin = await factory.headers(await factory.account("partner", "admin", partner_id=partner.id))
    with Receiver() as closed:
        dead_url = closed.url  # a port nothing listens on once the server is shut
    await register_endpoint(client, admin, dead_url, ["grant.expired"])
    async with factory.app.state.sessionmaker() as session, session.begin():
        await emit(session, "grant.expired", partner.id, {"grant_id": "grt_x"})
    run = await run_worker(factory.app)
    assert run.deliveries == {"retrying": 1}
    [row] = await deliveries(factory.app)
    [attempt] = await attempts(factory.app, row.id)
    assert attempt.status_code is None and attempt.error is not None
    assert attempt.error.startswith("ConnectError")


async def test_no_loss_when_the_worker_dies_mid_delivery(
    client: AsyncClient, factory: Factory, world: OpsWorld, receiver: Receiver
) -> None:
    await _cancel(client, factory, world)
    app: FastAPI = factory.app
    t0 = now()
    # A worker claims the row, then dies before (or while) sending: nothing is recorded.
    [claimed] = await claim_due(app.state.sessionmaker, app.state.settings, at=t0)
    [leased] = await deliveries(app)
    assert leased.locked_until == t0 + lease_for(app.state.settings)

    assert (await run_worker(app, now=t0 + timedelta(seconds=1))).deliveries == {}
    assert receiver.requests == []

    after_lease = t0 + lease_for(app.state.settings) + timedelta(seconds=1)
    assert (await run_worker(app, now=after_lease)).deliveries == {"delivered": 1}
    [request] = receiver.requests
    readme_verifier()(world.secret, request.headers, request.body)

    # The dead worker's late report cannot undo the delivery: its lease is gone.
    settings = app.state.settings
    async with http_client(settings) as http:
        late = await send(http, settings, claimed, t0)
    assert await record(app.state.sessionmaker, settings, claimed, late, t0) == "delivered"
    [row] = await deliveries(app)
    assert (row.status, row.attempts, row.lease_id) == ("delivered", 1, None)


async def test_concurrent_workers_claim_disjoint_rows(
    committed_app: FastAPI, committed_client: AsyncClient, receiver: Receiver
) -> None:
    """PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: writers queue. No row is claimed twice."""
    factory = Factory(committed_app, committed_client)
    partner = await factory.partner()
    admin = await factory.headers(await factory.account("partner", "admin", partner_id=partner.id))
    await register_endpoint(committed_client, admin, receiver.url)
    async with committed_app.state.sessionmaker() as session, session.begin():
        for n in range(10):
            await emit(session, "grant.updated", partner.id, {"n": n})
    at = now()
    settings = committed_app.state.settings
    claims = await asyncio.gather(
        *(claim_due(committed_app.state.sessionmaker, settings, at=at, limit=6) for _ in range(3))
    )
    ids = [c.delivery_id for batch in claims for c in batch]
    assert len(ids) == len(set(ids)) == 10
    async with http_client(settings) as http:
        for batch in claims:
            await deliver_batch(committed_app.state.sessionmaker, settings, http, batch, at)
    assert len(receiver.requests) == 10
    bodies = sorted(json.loads(r.body)["data"]["n"] for r in receiver.requests)
    assert bodies == list(range(10))


async def test_emit_writes_only_with_the_change_and_only_to_subscribers(
    client: AsyncClient, factory: Factory, receiver: Receiver
) -> None:
    partner = await factory.partner()
    admin = await factory.headers(await factory.account("partner", "admin", partner_id=partner.id))
    cancels = await register_endpoint(client, admin, receiver.url, ["grant.cancelled"])
    await register_endpoint(client, admin, receiver.url + "/all")
    session: AsyncSession
    async with factory.app.state.sessionmaker() as session:
        await emit(session, "grant.cancelled", partner.id, {"grant_id": "grt_a"})
        await session.rollback()
    assert await deliveries(factory.app) == []
    async with factory.app.state.sessionmaker() as session, session.begin():
        await emit(session, "grant.created", partner.id, {"grant_id": "grt_b"})
        await emit(session, "grant.cancelled", partner.id, {"grant_id": "grt_c"})
        await emit(session, "grant.cancelled", (await factory.partner()).id, {"grant_id": "grt_d"})
    queued = await deliveries(factory.app)
    assert sorted((d.event_type, d.endpoint_id == cancels["id"]) for d in queued) == [
        ("grant.cancelled", False),
        ("grant.cancelled", True),
        ("grant.created", False),
    ]
    with pytest.raises(ValueError, match="unknown webhook event type"):
        async with factory.app.state.sessionmaker() as session:
            await emit(session, "grant.exploded", partner.id, {})


async def test_deleting_an_endpoint_cancels_what_it_had_not_received(
    client: AsyncClient, factory: Factory, world: OpsWorld, receiver: Receiver
) -> None:
    await _cancel(client, factory, world)
    response = await client.delete(f"/v1/webhooks/{world.endpoint_id}", headers=world.admin)
    assert response.status_code == 204
    assert (await run_worker(factory.app)).deliveries == {}
    assert receiver.requests == []
    [row] = await deliveries(factory.app, WebhookDelivery.endpoint_id == world.endpoint_id)
    assert row.status == "cancelled"
