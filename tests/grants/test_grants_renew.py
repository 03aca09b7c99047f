"""seed 002 My Service "renew": the seller's main account renews one service's authorization
for a duration it picks, through the one write path (version + 1, audit, webhook, a new
reminder schedule). Which grants may be renewed: policy/renewal.py (docs/grants.md)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import update

from tests.factories import Factory
from tests.grants.helpers import World, deliveries, events_of, make_world, stored
from tsp_auth.clock import now
from tsp_auth.models import Binding, Grant, Service
from tsp_auth.sweeps.service import sweep

HOOK = "http://127.0.0.1:9/hook"


async def _subscribe(client: AsyncClient, factory: Factory, world: World) -> None:
    admin = await factory.account("partner", "admin", partner_id=world.partner.id)
    response = await client.post(
        "/v1/webhooks",
        json={"url": HOOK, "events": ["grant.renewed"]},
        headers=await factory.headers(admin),
    )
    assert response.status_code == 201, response.text


async def _renew(
    client: AsyncClient, factory: Factory, world: World, body: dict[str, Any], who: Any = None
) -> Any:
    return await client.post(
        f"/v1/grants/{world.grant.id}/renew",
        json=body,
        headers=await factory.headers(who or world.main),
    )


async def _set(factory: Factory, model: Any, row_id: str, **values: Any) -> None:
    async with factory.app.state.sessionmaker() as session:
        await session.execute(update(model).where(model.id == row_id).values(**values))
        await session.commit()


async def test_the_main_account_renews_for_the_duration_it_picks(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    await _subscribe(client, factory, world)
    before = now()
    response = await _renew(client, factory, world, {"duration_days": 180, "version": 1})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["version"], body["duration_days"], body["status"]) == (2, 180, "active")
    saved = await stored(factory, world.grant.id)
    assert saved.expires_at is not None
    assert before + timedelta(days=180) <= saved.expires_at <= now() + timedelta(days=180)
    assert (saved.items, saved.roles, saved.areas) == (
        world.grant.items,
        world.grant.roles,
        world.grant.areas,
    )
    assert saved.consented_by == world.main.id
    assert "grant.renewed" in [e.action for e in await events_of(factory, world.grant.id)]
    (told,) = await deliveries(factory)
    assert told.event_type == "grant.renewed"
    assert json.loads(told.body)["data"]["version"] == 2


async def test_an_expired_grant_is_renewed_while_the_binding_stands(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    lapsed = now() - timedelta(days=1)
    await _set(factory, Grant, world.grant.id, status="expired", expires_at=lapsed)
    response = await _renew(client, factory, world, {"duration_days": 30})
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["version"]) == ("active", 2)
    assert (await stored(factory, world.grant.id)).status == "active"


async def test_a_renewal_starts_a_new_reminder_schedule(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    await _subscribe(client, factory, world)
    soon = now() + timedelta(days=5)
    await _set(factory, Grant, world.grant.id, expires_at=soon)
    first = await sweep(factory.app.state.sessionmaker)
    assert first.reminded == 1  # the 7-day reminder of the old expiry
    assert (await _renew(client, factory, world, {"duration_days": 30})).status_code == 200
    renewed = await stored(factory, world.grant.id)
    assert renewed.expires_at is not None
    # Five days before the new expiry, the 7-day reminder is due again.
    later = await sweep(factory.app.state.sessionmaker, now=renewed.expires_at - timedelta(days=5))
    assert later.reminded == 1
    kinds = sorted(d.event_type for d in await deliveries(factory))
    assert kinds == ["grant.renewed"]  # the partner subscribed to renewals only


async def _refused(
    client: AsyncClient,
    factory: Factory,
    world: World,
    body: dict[str, Any],
    status: int,
    error: str,
    who: Any = None,
) -> None:
    before = await stored(factory, world.grant.id)
    response = await _renew(client, factory, world, body, who)
    assert (response.status_code, response.json().get("error")) == (status, error), response.text
    after = await stored(factory, world.grant.id)
    assert (after.version, after.expires_at, after.status) == (
        before.version,
        before.expires_at,
        before.status,
    )
    assert await deliveries(factory) == []


async def test_only_the_sellers_main_account_renews(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    await _subscribe(client, factory, world)
    sub = await factory.account("seller", "sub", seller_id=world.seller.id)
    admin = await factory.account("partner", "admin", partner_id=world.partner.id)
    _, other_main = await factory.seller("UK")
    body = {"duration_days": 90}
    await _refused(client, factory, world, body, 403, "not_main_account", sub)
    await _refused(client, factory, world, body, 403, "seller_only", admin)
    await _refused(client, factory, world, body, 404, "not_found", other_main)


async def test_bad_bodies_are_refused(client: AsyncClient, factory: Factory, world: World) -> None:
    await _subscribe(client, factory, world)
    for body, error in (
        ({"duration_days": 45}, "unknown_duration"),
        ({"duration_days": "90"}, "invalid_request"),
        ({"duration_days": 90, "expires_at": "2030-01-01T00:00:00Z"}, "invalid_request"),
        ({}, "invalid_request"),
    ):
        await _refused(client, factory, world, body, 400, error)
    stale = {"duration_days": 90, "version": 7}
    await _refused(client, factory, world, stale, 409, "grant_changed")


async def test_grants_the_seeds_do_not_let_renew(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    body = {"duration_days": 90}
    await _set(factory, Service, world.service.id, valid=False)
    await _refused(client, factory, world, body, 409, "service_not_valid")
    await _set(factory, Service, world.service.id, valid=True)

    await _set(factory, Grant, world.grant.id, status="deactivated")
    await _refused(client, factory, world, body, 409, "grant_not_active")

    # An expired grant whose binding the seller cancelled: the binding is not revived.
    lapsed = now() - timedelta(days=1)
    await _set(factory, Grant, world.grant.id, status="expired", expires_at=lapsed)
    assert world.grant.binding_id is not None
    await _set(factory, Binding, world.grant.binding_id, status="cancelled")
    await _refused(client, factory, world, body, 409, "binding_cancelled")

    await _set(factory, Grant, world.grant.id, status="cancelled")
    await _refused(client, factory, world, body, 409, "binding_cancelled")


async def test_a_renewal_never_undoes_a_narrowing_edit_it_races(
    committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    """Committed transactions racing as two processes would: whichever order the database
    picks, a narrowing that succeeded is what the grant holds afterwards."""
    factory = Factory(committed_app, committed_client)
    world = await make_world(factory)
    headers = await factory.headers(world.main)
    edit, renewal = await asyncio.gather(
        committed_client.patch(
            f"/v1/grants/{world.grant.id}", json={"roles": ["products"]}, headers=headers
        ),
        committed_client.post(
            f"/v1/grants/{world.grant.id}/renew", json={"duration_days": 365}, headers=headers
        ),
    )
    assert {edit.status_code, renewal.status_code} <= {200, 409}, (edit.text, renewal.text)
    saved = await stored(factory, world.grant.id)
    if edit.status_code == 200:
        assert saved.roles == {"products"}
    assert saved.version == 1 + [edit.status_code, renewal.status_code].count(200)
