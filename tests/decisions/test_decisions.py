"""`POST /v1/decisions`: may this console session do action X on shop Y?"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from httpx import AsyncClient
from prometheus_client import REGISTRY

from tests.factories import Factory
from tests.tsp_access.helpers import (
    World,
    audit_events,
    decide,
    login,
    make_world,
    session_token,
)


async def _session(factory: Factory, roles: Iterable[str]) -> tuple[World, str]:
    world = await make_world(factory, roles=roles)
    return world, await session_token(factory, world.admin, world.seller.id)


async def test_admin_login_session_and_decisions_allow(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    token = await session_token(factory, world.admin, world.seller.id)
    answer = await decide(client, token, "seller_center.orders", world.seller.id)
    assert answer == {
        "allow": True,
        "reason": "ok",
        "acting_as": world.seller.id,
        "actor": {"sub": world.admin.id, "partner": world.partner.id},
    }
    # An ordinary allow writes nothing.
    assert await audit_events(factory, "creator_im.authorized") == []


@pytest.mark.parametrize(
    ("roles", "allow", "reason"),
    [
        (("affiliate_center",), True, "ok"),
        (("products",), False, "role_not_granted"),
        (("full_access",), True, "ok"),
    ],
)
async def test_creator_im_needs_affiliate_center_or_full_access(
    client: AsyncClient, factory: Factory, roles: tuple[str, ...], allow: bool, reason: str
) -> None:
    world, token = await _session(factory, roles)
    answer = await decide(client, token, "creator_im.send", world.seller.id)
    assert (answer["allow"], answer["reason"]) == (allow, reason)
    # seed 000: creators see the seller; the trail keeps the member who acted for it.
    assert answer["acting_as"] == world.seller.id
    events = await audit_events(factory, "creator_im.authorized")
    if allow:
        [event] = events
        assert (event.actor_id, event.on_behalf_of, event.seller_id) == (
            world.admin.id,
            world.seller.id,
            world.seller.id,
        )
        assert event.detail["console_action"] == "creator_im.send"
    else:
        assert events == []


async def test_a_member_holds_only_the_assigned_roles(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    await factory.assignment(world.member, world.seller, roles=["products"])
    token = await session_token(factory, world.member, world.seller.id)
    products = await decide(client, token, "seller_center.products", world.seller.id)
    im = await decide(client, token, "creator_im.send", world.seller.id)
    assert products["allow"] and products["actor"]["sub"] == world.member.id
    assert (im["allow"], im["reason"]) == (False, "role_not_granted")


async def test_data_compass_areas_and_unknown_actions(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    token = await session_token(factory, world.admin, world.seller.id)
    expected = {
        "data_compass.live": (True, "ok"),
        "data_compass.marketing": (False, "area_not_granted"),
        "launch.rockets": (False, "unknown_action"),
    }
    for action, outcome in expected.items():
        answer = await decide(client, token, action, world.seller.id)
        assert (answer["allow"], answer["reason"]) == outcome, action


async def test_another_shop_and_an_unknown_token(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    token = await session_token(factory, world.admin, world.seller.id)
    other = await decide(client, token, "seller_center.orders", "slr_someone_else")
    assert (other["allow"], other["reason"]) == (False, "wrong_shop")
    unknown = await decide(client, "not-a-session", "seller_center.orders", world.seller.id)
    assert unknown == {
        "allow": False,
        "reason": "invalid_session",
        "acting_as": None,
        "actor": None,
    }


async def test_cancelling_the_grant_stops_the_session_and_new_logins(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    token = await session_token(factory, world.admin, world.seller.id)
    cancel = await client.post(
        f"/v1/grants/{world.grant.id}/cancel", headers=await factory.headers(world.main)
    )
    assert cancel.status_code == 200
    answer = await decide(client, token, "seller_center.orders", world.seller.id)
    assert (answer["allow"], answer["reason"]) == (False, "grant_not_active")
    again = await login(factory, world.admin, world.seller.id)
    assert (again.status_code, again.json()["error"]) == (403, "grant_not_active")


async def test_narrowing_the_grant_stops_the_session(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    token = await session_token(factory, world.admin, world.seller.id)
    edit = await client.patch(
        f"/v1/grants/{world.grant.id}",
        json={"roles": ["orders"]},
        headers=await factory.headers(world.main),
    )
    assert edit.status_code == 200, edit.text
    # Even an action the narrower grant still allows: the session was minted from version 1.
    answer = await decide(client, token, "seller_center.orders", world.seller.id)
    assert (answer["allow"], answer["reason"]) == (False, "grant_changed")


async def test_deactivating_the_grant_stops_the_session(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    token = await session_token(factory, world.admin, world.seller.id)
    response = await client.post(
        f"/v1/grants/{world.grant.id}/deactivate",
        json={"reason": "platform_policy"},
        headers=await factory.headers(await factory.operator()),
    )
    assert response.status_code == 200, response.text
    answer = await decide(client, token, "seller_center.orders", world.seller.id)
    assert (answer["allow"], answer["reason"]) == (False, "grant_not_active")


async def test_sea_sessions_once_launched(sea_client: AsyncClient, sea_factory: Factory) -> None:
    world = await make_world(sea_factory, market="ID")
    token = await session_token(sea_factory, world.admin, world.seller.id)
    answer = await decide(sea_client, token, "creator_im.send", world.seller.id)
    assert answer["allow"], answer


async def test_denials_are_counted(client: AsyncClient, factory: Factory, world: World) -> None:
    labels = {"outcome": "deny", "reason": "wrong_shop"}
    before = REGISTRY.get_sample_value("tsp_auth_decisions_total", labels) or 0.0
    token = await session_token(factory, world.admin, world.seller.id)
    await decide(client, token, "seller_center.orders", "slr_someone_else")
    assert REGISTRY.get_sample_value("tsp_auth_decisions_total", labels) == before + 1
    metrics = (await client.get("/metrics")).text
    assert 'tsp_auth_decisions_total{outcome="deny",reason="wrong_shop"}' in metrics
