"""Accept and reject: grants, binding, renewal, and the redirect back to the partner."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from httpx import AsyncClient

from tests.consent.helpers import (
    bindings_of,
    decision,
    get_request,
    grants_of,
    open_link,
    pick,
    set_row,
)
from tests.factories import Factory
from tsp_auth.clock import now
from tsp_auth.models import Grant


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def test_accept_records_one_binding_and_a_grant_per_service(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner(region="US")
    requested = await factory.service(partner, markets=("US-L2L",))
    extra = await factory.service(partner, markets=("US-L2L",))
    seller, main = await factory.seller("US-L2L")
    request_id = await open_link(client, requested.id, state="round-trip")
    before = now()
    response = await client.post(
        f"/v1/authorization-requests/{request_id}/accept",
        json=decision(
            pick(
                requested,
                ["authorized_object", "seller_center_access", "data_compass"],
                roles=["affiliate_center", "orders"],
                areas=["live", "marketing"],
                authorized_object="shop",
            ),
            pick(extra, ["shop_operation_ticket"]),
            duration_days=180,
        ),
        headers=await factory.headers(main),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["redirect_to"] == "https://partner.example.com/callback?state=round-trip"
    assert [g["service_id"] for g in body["grants"]] == [requested.id, extra.id]
    assert all(g["version"] == 1 and g["renewed"] is False for g in body["grants"])

    (binding,) = await bindings_of(factory.app, seller.id)
    assert (binding.partner_id, binding.status) == (partner.id, "active")
    grants = {g.service_id: g for g in await grants_of(factory.app, seller.id)}
    grant = grants[requested.id]
    assert (grant.kind, grant.grantor_id, grant.grantee_id) == ("tsp_access", seller.id, partner.id)
    assert (grant.binding_id, grant.market, grant.status) == (binding.id, "US-L2L", "active")
    assert grant.items == {"authorized_object", "seller_center_access", "data_compass"}
    assert grant.roles == {"affiliate_center", "orders"} and grant.areas == {"live", "marketing"}
    assert grant.authorized_object == "shop" and grant.duration_days == 180
    assert before + timedelta(days=180) <= grant.expires_at <= now() + timedelta(days=180)
    assert (grant.consented_by, grant.contact_email) == (main.id, "owner@shop.example.com")
    assert grant.terms_version == "2025-12" and grant.version == 1
    assert grants[extra.id].items == {"shop_operation_ticket"}
    stored = await get_request(factory.app, request_id)
    assert (stored.status, stored.decided_by) == ("accepted", main.id)


CONSOLE = dict(items=["seller_center_access", "data_compass"], roles=["full_access"])


@pytest.mark.parametrize(
    ("market", "console_allowed"),
    [("US-L2L", True), ("US-CB", False), ("UK", True), ("DE", True), ("ID", False), ("JP", False)],
)
async def test_seller_center_access_is_granted_only_where_the_market_allows_it(
    client: AsyncClient, factory: Factory, market: str, console_allowed: bool
) -> None:
    service = await factory.service(await factory.partner(), markets=(market,))
    seller, main = await factory.seller(market)
    headers = await factory.headers(main)
    request_id = await open_link(client, service.id)
    url = f"/v1/authorization-requests/{request_id}/accept"
    console = await client.post(url, json=decision(pick(service, **CONSOLE)), headers=headers)
    if console_allowed:
        assert console.status_code == 200, console.text
        (grant,) = await grants_of(factory.app, seller.id)
        assert grant.roles == {"full_access"} and grant.market == market
        return
    assert (console.status_code, console.json()["error"]) == (
        400,
        "market_disallows_console_access",
    )
    # seed 000: TSP access may be skipped; data compass alone is fine everywhere.
    skipped = await client.post(url, json=decision(pick(service)), headers=headers)
    assert skipped.status_code == 200, skipped.text
    (grant,) = await grants_of(factory.app, seller.id)
    assert grant.items == {"data_compass"} and grant.roles == frozenset()


async def test_sea_seller_gets_console_access_once_launched(
    sea_client: AsyncClient, sea_factory: Factory
) -> None:
    service = await sea_factory.service(await sea_factory.partner(), markets=("ID",))
    seller, main = await sea_factory.seller("ID")
    request_id = await open_link(sea_client, service.id)
    response = await sea_client.post(
        f"/v1/authorization-requests/{request_id}/accept",
        json=decision(pick(service, **CONSOLE)),
        headers=await sea_factory.headers(main),
    )
    assert response.status_code == 200, response.text
    (grant,) = await grants_of(sea_factory.app, seller.id)
    assert "seller_center_access" in grant.items


@pytest.mark.parametrize("market", ["UK", "DE", "US-CB"])
async def test_authorized_object_is_us_l2l_only(
    client: AsyncClient, factory: Factory, market: str
) -> None:
    service = await factory.service(await factory.partner(), markets=(market,))
    _, main = await factory.seller(market)
    request_id = await open_link(client, service.id)
    response = await client.post(
        f"/v1/authorization-requests/{request_id}/accept",
        json=decision(pick(service, ["authorized_object"], authorized_object="shop")),
        headers=await factory.headers(main),
    )
    assert (response.status_code, response.json()["error"]) == (
        400,
        "market_disallows_authorized_object",
    )


async def test_renewal_keeps_the_grant_id_bumps_the_version_and_moves_the_expiry(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    service = await factory.service(partner)
    seller, main = await factory.seller()
    headers = await factory.headers(main)
    first = await client.post(
        f"/v1/authorization-requests/{await open_link(client, service.id)}/accept",
        json=decision(pick(service), duration_days=30),
        headers=headers,
    )
    assert first.status_code == 200
    (issued,) = first.json()["grants"]
    again = await client.post(
        f"/v1/authorization-requests/{await open_link(client, service.id)}/accept",
        json=decision(pick(service, ["data_compass", "seller_center_access"], roles=["live"])),
        headers=headers,
    )
    assert again.status_code == 200, again.text
    (renewed,) = again.json()["grants"]
    assert renewed["id"] == issued["id"]
    assert (renewed["version"], renewed["renewed"]) == (2, True)
    assert _at(renewed["expires_at"]) - _at(issued["expires_at"]) > timedelta(days=59)
    (grant,) = await grants_of(factory.app, seller.id)
    assert grant.items == {"data_compass", "seller_center_access"} and grant.duration_days == 90
    assert len(await bindings_of(factory.app, seller.id)) == 1


@pytest.mark.parametrize("how", ["time_passed", "swept"])
async def test_an_expired_grant_is_renewed_in_place(
    client: AsyncClient, factory: Factory, how: str
) -> None:
    partner = await factory.partner()
    service = await factory.service(partner)
    seller, main = await factory.seller()
    headers = await factory.headers(main)
    first = await client.post(
        f"/v1/authorization-requests/{await open_link(client, service.id)}/accept",
        json=decision(pick(service), duration_days=30),
        headers=headers,
    )
    grant_id = first.json()["grants"][0]["id"]
    past = now() - timedelta(days=1)
    expired = {"expires_at": past} | ({"status": "expired", "version": 2} if how == "swept" else {})
    await set_row(factory.app, Grant, grant_id, **expired)
    again = await client.post(
        f"/v1/authorization-requests/{await open_link(client, service.id)}/accept",
        json=decision(pick(service)),
        headers=headers,
    )
    assert again.status_code == 200, again.text
    (renewed,) = again.json()["grants"]
    assert renewed["id"] == grant_id
    assert renewed["version"] == (3 if how == "swept" else 2)
    (grant,) = await grants_of(factory.app, seller.id)
    assert grant.status == "active" and grant.expires_at > now()


async def test_a_cancelled_grant_is_not_revived_a_new_one_is_made(
    client: AsyncClient, factory: Factory
) -> None:
    service = await factory.service(await factory.partner())
    _, main = await factory.seller()
    headers = await factory.headers(main)
    first = await client.post(
        f"/v1/authorization-requests/{await open_link(client, service.id)}/accept",
        json=decision(pick(service)),
        headers=headers,
    )
    old_id = first.json()["grants"][0]["id"]
    await set_row(factory.app, Grant, old_id, status="cancelled")
    again = await client.post(
        f"/v1/authorization-requests/{await open_link(client, service.id)}/accept",
        json=decision(pick(service)),
        headers=headers,
    )
    (fresh,) = again.json()["grants"]
    assert fresh["id"] != old_id and fresh["version"] == 1


@pytest.mark.parametrize(
    ("return_url", "state", "expected"),
    [
        ("https://p.example.com/cb", "s-1", "https://p.example.com/cb?state=s-1"),
        (
            "https://p.example.com/cb?src=tsp&state=old",
            "s~2",
            "https://p.example.com/cb?src=tsp&state=s~2",
        ),
        ("https://p.example.com/cb#frag", None, "https://p.example.com/cb"),
        (None, "s-3", "/consent/{id}/done"),
    ],
)
async def test_redirect_to_carries_state_back_to_the_return_url(
    client: AsyncClient,
    factory: Factory,
    return_url: str | None,
    state: str | None,
    expected: str,
) -> None:
    service = await factory.service(await factory.partner(), return_url=return_url)
    _, main = await factory.seller()
    request_id = await open_link(client, service.id, state=state)
    response = await client.post(
        f"/v1/authorization-requests/{request_id}/accept",
        json=decision(pick(service)),
        headers=await factory.headers(main),
    )
    assert response.json()["redirect_to"] == expected.format(id=request_id)


async def test_reject_sends_access_denied_with_state_and_writes_no_grant(
    client: AsyncClient, factory: Factory
) -> None:
    service = await factory.service(await factory.partner())
    seller, main = await factory.seller()
    request_id = await open_link(client, service.id, state="xyz")
    response = await client.post(
        f"/v1/authorization-requests/{request_id}/reject", headers=await factory.headers(main)
    )
    assert response.status_code == 200
    target = urlsplit(response.json()["redirect_to"])
    assert target.netloc == "partner.example.com"
    assert dict(parse_qsl(target.query)) == {"error": "access_denied", "state": "xyz"}
    assert (await get_request(factory.app, request_id)).status == "rejected"
    assert await grants_of(factory.app, seller.id) == []
    assert await bindings_of(factory.app, seller.id) == []


async def test_reject_without_return_url_goes_to_the_done_page(
    client: AsyncClient, factory: Factory
) -> None:
    service = await factory.service(await factory.partner(), return_url=None)
    _, main = await factory.seller()
    request_id = await open_link(client, service.id)
    response = await client.post(
        f"/v1/authorization-requests/{request_id}/reject", headers=await factory.headers(main)
    )
    assert response.json() == {"redirect_to": f"/consent/{request_id}/done"}
