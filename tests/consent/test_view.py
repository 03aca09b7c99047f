"""`GET /v1/authorization-requests/{id}`: what the seller may authorize, per market."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient

from tests.consent.helpers import decision, open_link, pick, set_row
from tests.factories import Factory
from tsp_auth.clock import now
from tsp_auth.models import AuthorizationRequest


def codes(entries: list[dict[str, Any]]) -> list[str]:
    return [entry["code"] for entry in entries]


async def test_view_lists_the_partner_the_requested_service_first_and_the_choices(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner(region="US")
    other = await factory.service(partner, markets=("US-L2L",))
    requested = await factory.service(partner, markets=("US-L2L",))
    _, main = await factory.seller("US-L2L")
    request_id = await open_link(client, requested.id)
    response = await client.get(
        f"/v1/authorization-requests/{request_id}", headers=await factory.headers(main)
    )
    assert response.status_code == 200, response.text
    view = response.json()
    assert view["partner"] == {"id": partner.id, "name": partner.name, "region": "US"}
    assert (view["purpose"], view["market"], view["terms_version"]) == (
        "authorize",
        "US-L2L",
        "2025-12",
    )
    assert view["requested_service_id"] == requested.id
    assert view["requested_service_unavailable"] is None
    assert [s["id"] for s in view["services"]] == [requested.id, other.id]
    assert [s["requested"] for s in view["services"]] == [True, False]
    first = view["services"][0]
    assert first["renews_grant_id"] is None
    assert {"code": "full_access", "label": "Full access"} in first["roles"]
    assert {"code": "live", "label": "LIVE"} in first["areas"]
    assert [d["days"] for d in first["durations"]] == [30, 90, 180, 365]
    assert first["durations"][0] == {"days": 30, "label": "30 days"}
    assert view["already_authorized"] == [] and view["can_decide"] is True


# market, console login (seller center access + roles), authorized object choice
MARKETS = [
    ("US-L2L", True, True),
    ("US-CB", False, False),
    ("UK", True, False),
    ("DE", True, False),  # EU: since 2025-12-01
    ("ID", False, False),  # SEA: not launched unless configured
    ("JP", False, False),  # other markets: data compass only
]


@pytest.mark.parametrize(("market", "console", "objects"), MARKETS)
async def test_each_market_offers_what_its_rules_allow(
    client: AsyncClient, factory: Factory, market: str, console: bool, objects: bool
) -> None:
    service = await factory.service(await factory.partner(), markets=(market,))
    _, main = await factory.seller(market)
    request_id = await open_link(client, service.id)
    view = (
        await client.get(
            f"/v1/authorization-requests/{request_id}", headers=await factory.headers(main)
        )
    ).json()
    (choice,) = view["services"]
    items = codes(choice["items"])
    assert ("seller_center_access" in items) is console
    assert bool(choice["roles"]) is console
    assert ("authorized_object" in items) is objects
    assert codes(choice["authorized_objects"]) == (
        ["shop_and_tiktok", "shop", "tiktok_account"] if objects else []
    )
    assert "data_compass" in items and choice["areas"]


async def test_sea_is_offered_once_the_configured_launch_date_has_passed(
    sea_client: AsyncClient, sea_factory: Factory
) -> None:
    service = await sea_factory.service(await sea_factory.partner(), markets=("ID",))
    _, main = await sea_factory.seller("ID")
    request_id = await open_link(sea_client, service.id)
    view = (
        await sea_client.get(
            f"/v1/authorization-requests/{request_id}", headers=await sea_factory.headers(main)
        )
    ).json()
    assert "seller_center_access" in codes(view["services"][0]["items"])


async def test_custom_service_is_listed_only_for_the_seller_it_is_offered_to(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    public = await factory.service(partner)
    chosen, _ = await factory.seller()
    other, other_main = await factory.seller()
    custom = await factory.service(partner, visibility="custom", offered_to=[chosen.id])
    chosen_sub = await factory.account("seller", "sub", seller_id=chosen.id)  # subs may read
    request_id = await open_link(client, public.id)
    url = f"/v1/authorization-requests/{request_id}"
    seen = (await client.get(url, headers=await factory.headers(chosen_sub))).json()
    unseen = (await client.get(url, headers=await factory.headers(other_main))).json()
    assert [s["id"] for s in seen["services"]] == [public.id, custom.id]
    assert seen["can_decide"] is False  # a sub-account reads, only the main account decides
    assert [s["id"] for s in unseen["services"]] == [public.id]
    assert other.id != chosen.id


async def test_invalid_and_out_of_market_services_are_not_listed(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    requested = await factory.service(partner)
    await factory.service(partner, valid=False)
    await factory.service(partner, markets=("DE",))
    await factory.service(await factory.partner())  # another partner's
    _, main = await factory.seller("UK")
    request_id = await open_link(client, requested.id)
    view = (
        await client.get(
            f"/v1/authorization-requests/{request_id}", headers=await factory.headers(main)
        )
    ).json()
    assert [s["id"] for s in view["services"]] == [requested.id]


async def test_requested_service_outside_the_sellers_market_is_named_with_a_reason(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    requested = await factory.service(partner, markets=("DE",))
    uk = await factory.service(partner, markets=("UK",))
    _, main = await factory.seller("UK")
    request_id = await open_link(client, requested.id)
    view = (
        await client.get(
            f"/v1/authorization-requests/{request_id}", headers=await factory.headers(main)
        )
    ).json()
    assert view["requested_service_unavailable"] == "service_not_in_market"
    assert [s["id"] for s in view["services"]] == [uk.id]


async def test_active_grants_are_listed_and_the_requested_one_is_a_renewal(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    first, second = await factory.service(partner), await factory.service(partner)
    _, main = await factory.seller()
    headers = await factory.headers(main)
    done = await client.post(
        f"/v1/authorization-requests/{await open_link(client, first.id)}/accept",
        json=decision(pick(first), pick(second)),
        headers=headers,
    )
    assert done.status_code == 200, done.text
    grant_ids = {g["service_id"]: g["id"] for g in done.json()["grants"]}
    view = (
        await client.get(
            f"/v1/authorization-requests/{await open_link(client, first.id)}", headers=headers
        )
    ).json()
    # The link's own service may be renewed; the other one is already authorized.
    assert [(s["id"], s["renews_grant_id"]) for s in view["services"]] == [
        (first.id, grant_ids[first.id])
    ]
    listed = {g["service_id"]: g for g in view["already_authorized"]}
    assert set(listed) == {first.id, second.id}
    assert listed[first.id]["items"] == ["data_compass"]
    assert listed[first.id]["areas"] == ["live"] and listed[first.id]["version"] == 1


async def test_view_refusals(client: AsyncClient, factory: Factory) -> None:
    partner = await factory.partner()
    service = await factory.service(partner)
    _, main = await factory.seller()
    headers = await factory.headers(main)
    member = await factory.headers(await factory.account("partner", "admin", partner_id=partner.id))
    operator = await factory.headers(await factory.operator())
    request_id = await open_link(client, service.id)
    url = f"/v1/authorization-requests/{request_id}"

    assert (await client.get(url)).status_code == 401
    for who in (member, operator):
        refused = await client.get(url, headers=who)
        assert (refused.status_code, refused.json()["error"]) == (403, "seller_required")
    unknown = await client.get("/v1/authorization-requests/azr_nope", headers=headers)
    assert unknown.status_code == 404

    await set_row(factory.app, AuthorizationRequest, request_id, expires_at=now())
    expired = await client.get(url, headers=headers)
    assert (expired.status_code, expired.json()["error"]) == (410, "request_expired")

    decided_id = await open_link(client, service.id)
    rejected = await client.post(f"/v1/authorization-requests/{decided_id}/reject", headers=headers)
    assert rejected.status_code == 200
    decided = await client.get(f"/v1/authorization-requests/{decided_id}", headers=headers)
    assert (decided.status_code, decided.json()["error"]) == (409, "request_already_decided")
