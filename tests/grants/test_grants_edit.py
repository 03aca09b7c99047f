from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient

from tests.factories import Factory
from tests.grants.helpers import World, stored
from tsp_auth.clock import now
from tsp_auth.models import Grant


def terms(grant: Grant) -> tuple[Any, ...]:
    return (
        grant.version,
        grant.status,
        grant.items,
        grant.roles,
        grant.areas,
        grant.authorized_object,
        grant.updated_at,
    )


async def test_narrowing_removes_a_role_at_once_and_bumps_the_version(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    response = await client.patch(
        f"/v1/grants/{world.grant.id}",
        json={"roles": ["orders", "products"]},
        headers=await factory.headers(world.main),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["roles"] == ["orders", "products"] and body["version"] == 2
    assert body["duration_days"] == 90
    saved = await stored(factory, world.grant.id)
    assert saved.roles == {"orders", "products"} and saved.version == 2
    assert saved.expires_at == world.grant.expires_at  # an edit is not a renewal
    assert saved.areas == {"live"}  # untouched parts stay


async def test_widening_on_a_valid_service_is_allowed(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    response = await client.patch(
        f"/v1/grants/{world.grant.id}",
        json={
            "items": ["seller_center_access", "data_compass", "shop_operation_ticket"],
            "roles": ["full_access"],
            "areas": ["live", "marketing"],
        },
        headers=await factory.headers(world.main),
    )
    assert response.status_code == 200, response.text
    assert response.json()["roles"] == ["full_access"] and response.json()["version"] == 2
    assert "shop_operation_ticket" in (await stored(factory, world.grant.id)).items


async def test_removing_an_item_takes_its_scopes_with_it(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    response = await client.patch(
        f"/v1/grants/{world.grant.id}",
        json={"items": ["data_compass"]},
        headers=await factory.headers(world.main),
    )
    assert response.status_code == 200, response.text
    assert response.json()["roles"] == [] and response.json()["areas"] == ["live"]
    assert (await stored(factory, world.grant.id)).items == {"data_compass"}


async def test_an_edit_that_changes_nothing_keeps_the_version(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    response = await client.patch(
        f"/v1/grants/{world.grant.id}",
        json={"roles": ["products", "orders", "marketing"]},
        headers=await factory.headers(world.main),
    )
    assert response.status_code == 200 and response.json()["version"] == 1
    assert (await stored(factory, world.grant.id)).version == 1


async def test_only_the_sellers_main_account_edits(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    before = terms(await stored(factory, world.grant.id))
    sub = await factory.account("seller", "sub", seller_id=world.seller.id)
    own_partner = await factory.account("partner", "admin", partner_id=world.partner.id)
    operator = await factory.operator()
    other_partner = await factory.account(
        "partner", "admin", partner_id=(await factory.partner()).id
    )
    _, other_main = await factory.seller("UK")
    expected = [
        (sub, 403, "not_main_account"),
        (own_partner, 403, "not_main_account"),
        (operator, 403, "not_main_account"),
        (other_partner, 404, "not_found"),
        (other_main, 404, "not_found"),
    ]
    for account, status, error in expected:
        response = await client.patch(
            f"/v1/grants/{world.grant.id}",
            json={"roles": ["orders"]},
            headers=await factory.headers(account),
        )
        assert (response.status_code, response.json()["error"]) == (status, error), account.kind
    assert terms(await stored(factory, world.grant.id)) == before


async def test_a_grant_past_expiry_is_not_editable(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    lapsed = await factory.grant(
        world.seller,
        await factory.service(world.partner),
        expires_at=now() - timedelta(seconds=1),
    )
    before = terms(await stored(factory, lapsed.id))
    response = await client.patch(
        f"/v1/grants/{lapsed.id}",
        json={"roles": ["orders"]},
        headers=await factory.headers(world.main),
    )
    assert response.status_code == 409 and response.json()["error"] == "grant_expired"
    assert terms(await stored(factory, lapsed.id)) == before


@pytest.mark.parametrize(
    ("status", "error"),
    [("cancelled", "binding_cancelled"), ("deactivated", "grant_not_active")],
)
async def test_an_ended_grant_is_not_editable(
    client: AsyncClient, factory: Factory, world: World, status: str, error: str
) -> None:
    ended = await factory.grant(world.seller, await factory.service(world.partner), status=status)
    before = terms(await stored(factory, ended.id))
    response = await client.patch(
        f"/v1/grants/{ended.id}",
        json={"roles": ["orders"]},
        headers=await factory.headers(world.main),
    )
    assert response.status_code == 409 and response.json()["error"] == error
    assert terms(await stored(factory, ended.id)) == before


async def test_tsp_access_is_added_only_while_the_service_is_valid(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    invalid = await factory.service(world.partner, valid=False)
    grant = await factory.grant(
        world.seller, invalid, items=("data_compass",), roles=(), areas=("live", "marketing")
    )
    headers = await factory.headers(world.main)
    before = terms(await stored(factory, grant.id))
    added = await client.patch(
        f"/v1/grants/{grant.id}",
        json={"items": ["data_compass", "seller_center_access"], "roles": ["orders"]},
        headers=headers,
    )
    assert added.status_code == 409 and added.json()["error"] == "service_not_valid"
    assert terms(await stored(factory, grant.id)) == before
    # DESIGN §2: narrowing takes effect at once, whatever the service's state.
    narrowed = await client.patch(
        f"/v1/grants/{grant.id}", json={"areas": ["live"]}, headers=headers
    )
    assert narrowed.status_code == 200 and narrowed.json()["version"] == 2
    assert (await stored(factory, grant.id)).areas == {"live"}


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"roles": ["root"]}, "unknown_role"),
        ({"roles": []}, "roles_required"),
        ({"roles": ["full_access", "orders"]}, "full_access_exclusive"),
        ({"items": ["teleport"]}, "unknown_item"),
        ({"areas": ["weather"]}, "unknown_area"),
        # seed 002: no authorized object outside US L2L.
        (
            {
                "items": ["seller_center_access", "data_compass", "authorized_object"],
                "authorized_object": "shop",
            },
            "market_disallows_authorized_object",
        ),
        ({"duration_days": 365}, "invalid_request"),
        ({"expires_at": "2099-01-01T00:00:00Z"}, "invalid_request"),
    ],
)
async def test_a_bad_selection_is_400_with_the_policy_reason(
    client: AsyncClient, factory: Factory, world: World, body: dict[str, Any], error: str
) -> None:
    before = terms(await stored(factory, world.grant.id))
    response = await client.patch(
        f"/v1/grants/{world.grant.id}", json=body, headers=await factory.headers(world.main)
    )
    assert response.status_code == 400 and response.json()["error"] == error, response.text
    assert terms(await stored(factory, world.grant.id)) == before


async def test_us_cb_grant_cannot_gain_console_access(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner(region="US")
    service = await factory.service(partner, markets=("US-CB",))
    seller, main = await factory.seller("US-CB")
    grant = await factory.grant(seller, service, items=("data_compass",), roles=())
    response = await client.patch(
        f"/v1/grants/{grant.id}",
        json={"items": ["data_compass", "seller_center_access"], "roles": ["orders"]},
        headers=await factory.headers(main),
    )
    assert response.status_code == 400
    assert response.json()["error"] == "market_disallows_console_access"
    assert (await stored(factory, grant.id)).version == 1


async def test_us_l2l_authorized_object_narrows_from_shop_and_tiktok_to_shop(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner(region="US")
    service = await factory.service(partner, markets=("US-L2L",))
    seller, main = await factory.seller("US-L2L")
    grant = await factory.grant(
        seller,
        service,
        items=("authorized_object", "data_compass"),
        roles=(),
        authorized_object="shop_and_tiktok",
    )
    response = await client.patch(
        f"/v1/grants/{grant.id}",
        json={"authorized_object": "shop"},
        headers=await factory.headers(main),
    )
    assert response.status_code == 200, response.text
    assert response.json()["authorized_object"] == "shop" and response.json()["version"] == 2


async def test_an_edit_based_on_a_stale_version_is_409_grant_changed(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    headers = await factory.headers(world.main)
    first = await client.patch(
        f"/v1/grants/{world.grant.id}", json={"roles": ["orders"], "version": 1}, headers=headers
    )
    assert first.status_code == 200 and first.json()["version"] == 2
    before = terms(await stored(factory, world.grant.id))
    stale = await client.patch(
        f"/v1/grants/{world.grant.id}", json={"roles": ["products"], "version": 1}, headers=headers
    )
    assert stale.status_code == 409 and stale.json()["error"] == "grant_changed"
    assert terms(await stored(factory, world.grant.id)) == before
