"""seed 001 "Request TSP Access": the partner sees the sellers it has no seller center access
for, sends the link of that service with `purpose=tsp_access`, and the seller's consent offers
exactly that item; accepting adds it to the existing grant (renewed in place, version + 1)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from httpx import AsyncClient

from tests.consent.helpers import decision, open_link, pick, snapshot
from tests.factories import Factory
from tests.grants.helpers import stored
from tests.tsp_access.helpers import login
from tsp_auth.clock import now
from tsp_auth.models import Account, Grant, Partner, Seller, Service

LIST = "/v1/tsp-access/requestable-sellers"
SCA = "seller_center_access"


async def _compass_only(
    factory: Factory, service: Service, market: str = "UK", **options: Any
) -> tuple[Seller, Account, Grant]:
    seller, main = await factory.seller(market)
    grant = await factory.grant(
        seller, service, items=("data_compass",), roles=(), consented_by=main, **options
    )
    return seller, main, grant


async def _partner(factory: Factory) -> tuple[Partner, Account, Service]:
    partner = await factory.partner()
    admin = await factory.account("partner", "admin", partner_id=partner.id)
    return partner, admin, await factory.service(partner, markets=("UK", "US-CB"))


async def test_the_list_holds_exactly_the_sellers_that_could_be_asked(
    client: AsyncClient, factory: Factory
) -> None:
    partner, admin, service = await _partner(factory)
    asked, _, grant = await _compass_only(factory, service)
    await factory.grant((await factory.seller("UK"))[0], service)  # has seller center access
    await _compass_only(factory, service, "US-CB")  # seed 002: the market has no roles
    await _compass_only(factory, await factory.service(partner, valid=False))
    await _compass_only(factory, await factory.service(partner, items=("data_compass",)))
    await _compass_only(factory, service, expires_at=now() - timedelta(minutes=1))
    response = await client.get(LIST, headers=await factory.headers(admin))
    assert response.status_code == 200, response.text
    assert response.json()["items"] == [
        {
            "seller_id": asked.id,
            "shop_name": asked.shop_name,
            "market": "UK",
            "grant_id": grant.id,
            "service_id": service.id,
            "service_name": service.name,
            "expires_at": grant.expires_at.isoformat().replace("+00:00", "Z"),
        }
    ]


async def test_members_see_their_assigned_sellers_and_sellers_are_refused(
    client: AsyncClient, factory: Factory
) -> None:
    partner, _, service = await _partner(factory)
    member = await factory.account("partner", "member", partner_id=partner.id)
    seller, main, _ = await _compass_only(factory, service)
    assert (await client.get(LIST, headers=await factory.headers(member))).json()["items"] == []
    await factory.assignment(member, seller)
    listed = (await client.get(LIST, headers=await factory.headers(member))).json()["items"]
    assert [row["seller_id"] for row in listed] == [seller.id]
    refused = await client.get(LIST, headers=await factory.headers(main))
    assert (refused.status_code, refused.json()["error"]) == (403, "partner_account_required")
    assert "request TSP access" in refused.json()["detail"]


async def test_the_link_asks_for_tsp_access_of_a_service_that_qualifies(
    client: AsyncClient, factory: Factory
) -> None:
    partner, admin, service = await _partner(factory)
    headers = await factory.headers(admin)
    body = {"service_id": service.id, "purpose": "tsp_access"}
    link = await client.post("/v1/authorization-links", json=body, headers=headers)
    assert link.status_code == 200, link.text
    assert parse_qs(urlsplit(link.json()["url"]).query)["purpose"] == ["tsp_access"]
    compass = await factory.service(partner, items=("data_compass",))
    body["service_id"] = compass.id
    refused = await client.post("/v1/authorization-links", json=body, headers=headers)
    assert (refused.status_code, refused.json()["error"]) == (400, "item_not_qualified")


async def _view(client: AsyncClient, factory: Factory, request_id: str, main: Account) -> Any:
    response = await client.get(
        f"/v1/authorization-requests/{request_id}", headers=await factory.headers(main)
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_consent_offers_seller_center_access_alone_for_that_service(
    client: AsyncClient, factory: Factory
) -> None:
    partner, _, service = await _partner(factory)
    await factory.service(partner)  # another service the seller could otherwise pick
    _, main, grant = await _compass_only(factory, service)
    request_id = await open_link(client, service.id, purpose="tsp_access")
    view = await _view(client, factory, request_id, main)
    [choice] = view["services"]
    assert (choice["id"], choice["requested"], choice["renews_grant_id"]) == (
        service.id,
        True,
        grant.id,
    )
    assert [entry["code"] for entry in choice["items"]] == [SCA]
    assert choice["roles"] and choice["areas"] == [] and choice["authorized_objects"] == []
    assert view["requested_service_unavailable"] is None
    _, stranger = await factory.seller("UK")  # no grant of the service: nothing to add to
    view = await _view(client, factory, request_id, stranger)
    assert (view["services"], view["requested_service_unavailable"]) == (
        [],
        "service_not_authorized",
    )


async def test_accepting_adds_the_item_to_the_existing_grant(
    client: AsyncClient, factory: Factory
) -> None:
    _, admin, service = await _partner(factory)
    seller, main, grant = await _compass_only(factory, service)
    assert (await login(factory, admin, seller.id)).json()["error"] == (
        "seller_center_access_not_granted"
    )
    request_id = await open_link(client, service.id, purpose="tsp_access")
    response = await client.post(
        f"/v1/authorization-requests/{request_id}/accept",
        json=decision(pick(service, [SCA], roles=["affiliate_center"]), duration_days=180),
        headers=await factory.headers(main),
    )
    assert response.status_code == 200, response.text
    [issued] = response.json()["grants"]
    assert (issued["id"], issued["version"], issued["renewed"]) == (grant.id, 2, True)
    saved = await stored(factory, grant.id)
    assert (saved.items, saved.roles, saved.areas) == (
        {"data_compass", SCA},
        {"affiliate_center"},
        {"live"},  # what the grant held stays
    )
    assert saved.expires_at is not None
    assert saved.expires_at - now() > timedelta(days=179)
    assert (await login(factory, admin, seller.id)).status_code == 200
    listed = await client.get(LIST, headers=await factory.headers(admin))
    assert listed.json()["items"] == []


async def test_a_tsp_access_consent_refuses_anything_else_and_writes_nothing(
    client: AsyncClient, factory: Factory
) -> None:
    partner, _, service = await _partner(factory)
    other = await factory.service(partner)
    _, main, _ = await _compass_only(factory, service)
    _, stranger = await factory.seller("UK")
    cases = [
        (main, [pick(service, [SCA, "data_compass"], roles=["orders"])], "item_not_requested"),
        (main, [pick(service, [SCA], roles=["orders"]), pick(other)], "service_not_offered"),
        (main, [pick(other, [SCA], roles=["orders"])], "service_not_offered"),
        (main, [pick(service, [])], "items_required"),
        (main, [pick(service, [SCA])], "roles_required"),
        (stranger, [pick(service, [SCA], roles=["orders"])], "service_not_authorized"),
    ]
    for account, picks, reason in cases:
        request_id = await open_link(client, service.id, purpose="tsp_access")
        before = await snapshot(factory.app)
        response = await client.post(
            f"/v1/authorization-requests/{request_id}/accept",
            json=decision(*picks),
            headers=await factory.headers(account),
        )
        assert (response.status_code, response.json()["error"]) == (400, reason), reason
        assert await snapshot(factory.app) == before
