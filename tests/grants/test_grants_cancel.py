from __future__ import annotations

from datetime import timedelta

from httpx import AsyncClient

from tests.factories import Factory
from tests.grants.helpers import World, stored, stored_binding
from tsp_auth.clock import now


async def test_cancel_ends_the_binding_and_every_grant_of_the_pair(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    second = await factory.grant(world.seller, await factory.service(world.partner))
    elsewhere = await factory.grant(world.seller, await factory.service(await factory.partner()))
    response = await client.post(
        f"/v1/grants/{world.grant.id}/cancel", headers=await factory.headers(world.main)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["cancelled"] == sorted([world.grant.id, second.id])
    assert body["grant"]["status"] == "cancelled" and body["grant"]["version"] == 2
    assert body["grant"]["status_reason"] == "seller_cancelled"
    for grant_id in (world.grant.id, second.id):
        saved = await stored(factory, grant_id)
        assert (saved.status, saved.version) == ("cancelled", 2)
    binding = await stored_binding(factory, world.grant.binding_id or "")
    assert binding.status == "cancelled" and binding.ended_at is not None
    # Another partner's grant is another binding: untouched.
    assert (await stored(factory, elsewhere.id)).status == "active"


async def test_cancelling_a_cancelled_grant_is_409_and_writes_nothing(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    headers = await factory.headers(world.main)
    assert (await client.post(f"/v1/grants/{world.grant.id}/cancel", headers=headers)).is_success
    before = await stored(factory, world.grant.id)
    again = await client.post(f"/v1/grants/{world.grant.id}/cancel", headers=headers)
    assert again.status_code == 409 and again.json()["error"] == "grant_not_active"
    after = await stored(factory, world.grant.id)
    assert (after.version, after.status, after.updated_at) == (2, "cancelled", before.updated_at)


async def test_an_expired_grant_still_ends_its_binding(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    lapsed = await factory.grant(
        world.seller, await factory.service(world.partner), expires_at=now() - timedelta(days=1)
    )
    response = await client.post(
        f"/v1/grants/{lapsed.id}/cancel", headers=await factory.headers(world.main)
    )
    assert response.status_code == 200
    assert response.json()["cancelled"] == sorted([world.grant.id, lapsed.id])


async def test_only_the_sellers_main_account_cancels(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    sub = await factory.account("seller", "sub", seller_id=world.seller.id)
    own_partner = await factory.account("partner", "admin", partner_id=world.partner.id)
    operator = await factory.operator()
    other_partner = await factory.account(
        "partner", "admin", partner_id=(await factory.partner()).id
    )
    _, other_main = await factory.seller("UK")
    expected = [
        (sub, 403, "not_main_account"),
        (own_partner, 403, "seller_only"),  # seed 002: "only the seller can cancel"
        (operator, 403, "seller_only"),
        (other_partner, 404, "not_found"),
        (other_main, 404, "not_found"),
    ]
    for account, status, error in expected:
        response = await client.post(
            f"/v1/grants/{world.grant.id}/cancel", headers=await factory.headers(account)
        )
        assert (response.status_code, response.json()["error"]) == (status, error), account.kind
    saved = await stored(factory, world.grant.id)
    assert (saved.status, saved.version) == ("active", 1)
    assert (await stored_binding(factory, world.grant.binding_id or "")).status == "active"


async def test_operator_deactivates_a_grant(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    op = await factory.headers(await factory.operator())
    response = await client.post(
        f"/v1/grants/{world.grant.id}/deactivate",
        json={"reason": "partner_suspended"},
        headers=op,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["status_reason"], body["version"]) == (
        "deactivated",
        "partner_suspended",
        2,
    )
    seller_view = await client.get(
        f"/v1/grants/{world.grant.id}", headers=await factory.headers(world.main)
    )
    assert seller_view.json()["status"] == "deactivated"
    # Deactivation ends one grant, not the binding.
    assert (await stored_binding(factory, world.grant.binding_id or "")).status == "active"
    again = await client.post(
        f"/v1/grants/{world.grant.id}/deactivate", json={"reason": "platform_policy"}, headers=op
    )
    assert again.status_code == 409 and again.json()["error"] == "grant_not_active"
    assert (await stored(factory, world.grant.id)).version == 2


async def test_deactivation_refusals_write_nothing(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    own_partner = await factory.account("partner", "admin", partner_id=world.partner.id)
    other_partner = await factory.account(
        "partner", "admin", partner_id=(await factory.partner()).id
    )
    operator = await factory.operator()
    lapsed = await factory.grant(
        world.seller, await factory.service(world.partner), expires_at=now() - timedelta(days=1)
    )
    cases = [
        (world.main, world.grant.id, {"reason": "platform_policy"}, 403, "operator_required"),
        (own_partner, world.grant.id, {"reason": "platform_policy"}, 403, "operator_required"),
        (other_partner, world.grant.id, {"reason": "platform_policy"}, 404, "not_found"),
        (operator, world.grant.id, {"reason": "bored"}, 400, "invalid_request"),
        (operator, lapsed.id, {"reason": "platform_policy"}, 409, "grant_expired"),
        (operator, "grt_missing", {"reason": "platform_policy"}, 404, "not_found"),
    ]
    for account, grant_id, body, status, error in cases:
        response = await client.post(
            f"/v1/grants/{grant_id}/deactivate", json=body, headers=await factory.headers(account)
        )
        assert (response.status_code, response.json()["error"]) == (status, error), body
    for grant_id in (world.grant.id, lapsed.id):
        saved = await stored(factory, grant_id)
        assert (saved.status, saved.version, saved.status_reason) == ("active", 1, None)
