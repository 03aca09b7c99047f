"""`DELETE /v1/grants/{id}`: the seller removes one service (seed 002 "edit/delete/renew the
service"); the binding and the other grants stay, cancelling still ends everything."""

from __future__ import annotations

from httpx import AsyncClient

from tests.factories import Factory
from tests.grants.helpers import World, deliveries, events_of, stored, stored_binding
from tests.tsp_access.helpers import decide, login_token, redeem
from tests.webhooks.helpers import register_endpoint
from tsp_auth.tsp_access.introspection import introspect_tsp_token


async def test_removing_one_service_leaves_the_binding_and_the_other_grants(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    admin = await factory.account("partner", "admin", partner_id=world.partner.id)
    await register_endpoint(
        client, await factory.headers(admin), "https://p.example/h", ["grant.cancelled"]
    )
    other = await factory.grant(world.seller, await factory.service(world.partner))
    removed = await client.delete(
        f"/v1/grants/{world.grant.id}", headers=await factory.headers(world.main)
    )
    assert removed.status_code == 200, removed.text
    body = removed.json()
    assert (body["id"], body["status"], body["status_reason"], body["version"]) == (
        world.grant.id,
        "cancelled",
        "service_removed",
        2,
    )
    assert (await stored(factory, other.id)).status == "active"
    assert (await stored(factory, other.id)).version == 1
    binding = await stored_binding(factory, world.grant.binding_id or "")
    assert (binding.status, binding.ended_at) == ("active", None)
    [event] = await events_of(factory, world.grant.id)
    assert (event.action, event.outcome, event.actor_id) == (
        "grant.cancelled",
        "success",
        world.main.id,
    )
    assert event.detail["status_reason"] == "service_removed"
    assert await events_of(factory, other.id) == []
    [delivery] = await deliveries(factory)
    assert delivery.event_type == "grant.cancelled"
    assert world.grant.id in delivery.body and "service_removed" in delivery.body


async def test_the_removed_grants_session_and_tokens_stop_at_once(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    admin = await factory.account("partner", "admin", partner_id=world.partner.id)
    started = await redeem(
        client, await login_token(factory, admin, world.seller.id), browser_profile="p1"
    )
    assert started.status_code == 201, started.text
    session_token = started.json()["session_token"]
    pending_login = await login_token(factory, admin, world.seller.id, browser_profile="p2")
    allowed = await decide(client, session_token, "seller_center.products", world.seller.id)
    assert allowed["allow"] is True
    state = factory.app.state
    live = await introspect_tsp_token(
        state.sessionmaker, state.keyring, state.settings, session_token
    )
    assert live is not None and live["active"] is True
    main_h = await factory.headers(world.main)
    assert (await client.delete(f"/v1/grants/{world.grant.id}", headers=main_h)).status_code == 200
    denied = await decide(client, session_token, "seller_center.products", world.seller.id)
    assert (denied["allow"], denied["reason"]) == (False, "grant_not_active")
    for token in (session_token, pending_login):
        answer = await introspect_tsp_token(
            state.sessionmaker, state.keyring, state.settings, token
        )
        assert answer == {"active": False}
    late = await redeem(client, pending_login, browser_profile="p2")
    assert (late.status_code, late.json()["error"]) == (403, "grant_not_active")


async def test_only_the_sellers_main_account_removes_and_refusals_write_nothing(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    sub = await factory.account("seller", "sub", seller_id=world.seller.id)
    own_partner = await factory.account("partner", "admin", partner_id=world.partner.id)
    _, other_main = await factory.seller("UK")
    expected = [
        (sub, 403, "not_main_account"),
        (own_partner, 403, "seller_only"),
        (await factory.operator(), 403, "seller_only"),
        (other_main, 404, "not_found"),
    ]
    for account, status, error in expected:
        response = await client.delete(
            f"/v1/grants/{world.grant.id}", headers=await factory.headers(account)
        )
        assert (response.status_code, response.json()["error"]) == (status, error), account.kind
    saved = await stored(factory, world.grant.id)
    assert (saved.status, saved.version, saved.status_reason) == ("active", 1, None)
    assert all(e.outcome == "denied" for e in await events_of(factory, world.grant.id))


async def test_removing_an_ended_grant_is_409_and_changes_nothing(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    main_h = await factory.headers(world.main)
    assert (await client.delete(f"/v1/grants/{world.grant.id}", headers=main_h)).status_code == 200
    before = await stored(factory, world.grant.id)
    again = await client.delete(f"/v1/grants/{world.grant.id}", headers=main_h)
    assert (again.status_code, again.json()["error"]) == (409, "grant_not_active")
    after = await stored(factory, world.grant.id)
    assert (after.version, after.updated_at) == (before.version, before.updated_at)


async def test_cancel_still_ends_the_binding_after_a_removal(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    other = await factory.grant(world.seller, await factory.service(world.partner))
    main_h = await factory.headers(world.main)
    assert (await client.delete(f"/v1/grants/{world.grant.id}", headers=main_h)).status_code == 200
    cancelled = await client.post(f"/v1/grants/{other.id}/cancel", headers=main_h)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["cancelled"] == [other.id]
    binding = await stored_binding(factory, world.grant.binding_id or "")
    assert binding.status == "cancelled"
    assert (await stored(factory, world.grant.id)).status_reason == "service_removed"
