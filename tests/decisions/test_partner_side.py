"""Partner-side decisions (issue 21, item 1): a data-only grant in US CB, and in a market
outside the launch list, is used by a partner member through Partner Center and by a partner
app through a partner API; after the seller cancels, the next decision refuses."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select

from tests.decisions.partner_side_helpers import (
    DataOnly,
    app_decision,
    ask_as_member,
    cancel,
    data_only,
    member_decision,
)
from tests.factories import Factory
from tests.partner_apps import helpers as partner_apps
from tsp_auth.models import AuditEvent, Grant, WebhookDelivery


def _reason(answer: dict[str, object]) -> tuple[object, object]:
    return answer["allow"], answer["reason"]


@pytest.mark.parametrize("market", ["US-CB", "JP"])
async def test_a_data_only_grant_allows_member_and_app_until_the_seller_cancels(
    client: AsyncClient, factory: Factory, market: str
) -> None:
    world = await data_only(factory, client, market)

    member = await member_decision(client, world)
    assert member == {
        "allow": True,
        "reason": "ok",
        "seller_id": world.seller_id,
        "partner_id": world.app.partner.id,
        "member_id": world.member.id,
        "grant_id": world.grant_id,
    }
    app = await app_decision(client, world)
    assert app == {
        "allow": True,
        "reason": "ok",
        "seller_id": world.seller_id,
        "client_id": world.app.client_id,
        "grant_id": world.grant_id,
    }
    # The same grant never opens the seller's console (seed 002: no TSP access here).
    console = await member_decision(client, world, "seller_center.orders")
    assert _reason(console) == (False, "console_session_required")

    await cancel(client, world)
    assert _reason(await member_decision(client, world)) == (False, "grant_not_active")
    assert _reason(await app_decision(client, world)) == (False, "grant_not_active")


async def test_member_refusals(client: AsyncClient, factory: Factory) -> None:
    world = await data_only(factory, client, assign=False)
    assert _reason(await member_decision(client, world)) == (False, "not_assigned")
    # An admin acts for every seller of its partner.
    admin = await ask_as_member(client, world, "data_compass.live", world.admin_h)
    assert _reason(admin.json()) == (True, "ok")
    for action, reason in (
        ("data_compass.video", "area_not_granted"),
        ("ticket.create", "item_not_granted"),
        ("creator_im.send", "console_session_required"),
        ("shop.delete", "unknown_action"),
    ):
        answer = await ask_as_member(client, world, action, world.admin_h)
        assert _reason(answer.json()) == (False, reason), action
    # Another partner holds no grant from this seller.
    other = await factory.partner()
    stranger = await factory.account("partner", "admin", partner_id=other.id)
    response = await ask_as_member(
        client, world, "data_compass.live", await factory.headers(stranger)
    )
    assert _reason(response.json()) == (False, "service_not_authorized")


async def test_who_may_ask_for_a_member(client: AsyncClient, factory: Factory) -> None:
    world = await data_only(factory, client)
    seller = await ask_as_member(client, world, "data_compass.live", world.app.seller_headers)
    assert (seller.status_code, seller.json()["error"]) == (403, "partner_account_required")
    anonymous = await client.post(
        "/v1/partner-decisions", json={"action": "data_compass.live", "seller_id": "slr_x"}
    )
    assert anonymous.status_code == 401
    for body in (
        {"action": "data_compass.live"},
        {"action": "", "seller_id": world.seller_id},
        {"action": "data_compass.live", "seller_id": world.seller_id, "extra": 1},
    ):
        response = await client.post("/v1/partner-decisions", json=body, headers=world.member_h)
        assert (response.status_code, response.json()["error"]) == (400, "invalid_request")


async def test_app_refusals(client: AsyncClient, factory: Factory) -> None:
    world = await data_only(factory, client)
    other = await data_only(factory, client)
    assert _reason(await app_decision(client, world, token="not-a-token")) == (
        False,
        "invalid_token",
    )
    assert _reason(await app_decision(client, world, seller_id=other.seller_id)) == (
        False,
        "wrong_shop",
    )
    assert _reason(await app_decision(client, world, "ticket.create")) == (
        False,
        "scope_not_granted",
    )
    assert _reason(await app_decision(client, world, "data_compass.marketing")) == (
        False,
        "area_not_granted",
    )
    assert _reason(await app_decision(client, world, "seller_center.orders")) == (
        False,
        "console_session_required",
    )
    response = await client.post("/v1/app-decisions", json={"action": "data_compass.live"})
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")


async def test_a_narrowing_edit_refuses_the_next_app_and_member_decision(
    client: AsyncClient, factory: Factory
) -> None:
    world = await data_only(factory, client, "JP")
    # The seller swaps LIVE for Video: the member follows the grant as it is now; the app's
    # token was minted from the previous version, so it must be renewed first.
    edited = await client.patch(
        f"/v1/grants/{world.grant_id}",
        json={"areas": ["video"]},
        headers=world.app.seller_headers,
    )
    assert edited.status_code == 200, edited.text
    assert _reason(await member_decision(client, world)) == (False, "area_not_granted")
    assert _reason(await member_decision(client, world, "data_compass.video")) == (True, "ok")
    assert _reason(await app_decision(client, world, "data_compass.video")) == (
        False,
        "grant_changed",
    )


async def test_removing_the_assignment_refuses_the_member(
    client: AsyncClient, factory: Factory
) -> None:
    world = await data_only(factory, client)
    listed = await client.get("/v1/assignments", headers=world.admin_h)
    (assignment,) = listed.json()["items"]
    removed = await client.delete(f"/v1/assignments/{assignment['id']}", headers=world.admin_h)
    assert removed.status_code == 204, removed.text
    assert _reason(await member_decision(client, world)) == (False, "not_assigned")


async def test_a_decision_writes_nothing(client: AsyncClient, factory: Factory) -> None:
    world: DataOnly = await data_only(factory, client)

    async def written() -> tuple[int, int, int]:
        async with factory.app.state.sessionmaker() as session:
            counts = [
                int(await session.scalar(select(func.count()).select_from(model)) or 0)
                for model in (AuditEvent, Grant, WebhookDelivery)
            ]
            return counts[0], counts[1], counts[2]

    before = await written()
    await member_decision(client, world)
    await app_decision(client, world, "ticket.create")
    await ask_as_member(client, world, "data_compass.live", world.app.seller_headers)
    assert await written() == before


async def test_a_partners_own_app_authorization_opens_no_sellers_data(
    client: AsyncClient, factory: Factory
) -> None:
    """seed 004: a TAP authorization lets the app act on the partner's business data; a
    seller's data needs the seller's consent (a token whose grant the seller gave)."""
    world = await data_only(factory, client)
    owner = await partner_apps.org(factory)
    app = await partner_apps.partner_app(factory, owner)
    _, body = await partner_apps.tokens(client, app, owner)
    answer = await app_decision(client, world, token=body["access_token"])
    assert _reason(answer) == (False, "service_not_authorized")
    assert answer["client_id"] == app.client.id
