from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy import func, select

from tests.factories import Factory
from tsp_auth.models import Account, Partner, Seller, Service


async def _count(factory: Factory, model: type) -> int:
    async with factory.app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_operator_builds_partner_member_seller_and_service(
    client: AsyncClient, factory: Factory
) -> None:
    op = await factory.headers(await factory.operator())
    partner = await client.post(
        "/v1/partners",
        json={"name": "Acme", "region": "US", "categories": ["seller_service"]},
        headers=op,
    )
    assert partner.status_code == 201, partner.text
    partner_id = partner.json()["id"]
    member = await client.post(
        f"/v1/partners/{partner_id}/members", json={"name": "Ann", "role": "admin"}, headers=op
    )
    assert member.status_code == 201
    assert member.json()["kind"] == "partner" and member.json()["partner_id"] == partner_id
    seller = await client.post(
        "/v1/sellers",
        json={"shop_name": "Shop", "market": "US-L2L", "main_account": {"name": "Sam"}},
        headers=op,
    )
    assert seller.status_code == 201
    assert seller.json()["main_account"]["role"] == "main"
    service = await client.post(
        "/v1/services",
        json={
            "partner_id": partner_id,
            "name": "Shop care",
            "markets": ["US-L2L", "US-CB"],
            "qualified_items": ["seller_center_access", "data_compass"],
        },
        headers=op,
    )
    assert service.status_code == 201, service.text
    assert service.json()["valid"] is True


async def test_only_operators_create_partners_and_sellers(
    client: AsyncClient, factory: Factory
) -> None:
    _, main = await factory.seller()
    headers = await factory.headers(main)
    before = await _count(factory, Partner), await _count(factory, Seller)
    partner = await client.post("/v1/partners", json={"name": "X", "region": "US"}, headers=headers)
    seller = await client.post(
        "/v1/sellers",
        json={"shop_name": "S", "market": "UK", "main_account": {"name": "A"}},
        headers=headers,
    )
    for response in (partner, seller):
        assert response.status_code == 403
        assert response.json()["error"] == "operator_required"
    assert (await _count(factory, Partner), await _count(factory, Seller)) == before


async def test_requests_without_identity_are_401(client: AsyncClient) -> None:
    missing = await client.get("/v1/services")
    forged = await client.get("/v1/services", headers={"Authorization": "Bearer abc.def.ghi"})
    assert missing.status_code == 401 and missing.json()["error"] == "unauthorized"
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert forged.status_code == 401 and forged.json()["error"] == "invalid_token"


async def test_bad_market_and_item_are_400_and_nothing_is_written(
    client: AsyncClient, factory: Factory
) -> None:
    op = await factory.headers(await factory.operator())
    partner = await factory.partner()
    bad_market = await client.post(
        "/v1/sellers",
        json={"shop_name": "S", "market": "US", "main_account": {"name": "A"}},
        headers=op,
    )
    bad_item = await client.post(
        "/v1/services",
        json={
            "partner_id": partner.id,
            "name": "S",
            "markets": ["UK"],
            "qualified_items": ["root_access"],
        },
        headers=op,
    )
    assert bad_market.status_code == 400 and "market" in bad_market.json()["detail"]
    assert bad_item.status_code == 400 and "root_access" in bad_item.json()["detail"]
    assert await _count(factory, Seller) == 0
    assert await _count(factory, Service) == 0


async def test_partner_admin_manages_own_services_and_members_only(
    client: AsyncClient, factory: Factory
) -> None:
    mine, other = await factory.partner(), await factory.partner()
    admin = await factory.account("partner", "admin", partner_id=mine.id)
    member = await factory.account("partner", "member", partner_id=mine.id)
    admin_h, member_h = await factory.headers(admin), await factory.headers(member)
    own = await client.post(
        "/v1/services",
        json={
            "partner_id": mine.id,
            "name": "S",
            "markets": ["UK"],
            "qualified_items": ["data_compass"],
        },
        headers=admin_h,
    )
    assert own.status_code == 201
    foreign = await client.post(
        "/v1/services",
        json={
            "partner_id": other.id,
            "name": "S",
            "markets": ["UK"],
            "qualified_items": ["data_compass"],
        },
        headers=admin_h,
    )
    assert foreign.status_code == 404  # another tenant's objects do not exist for you
    by_member = await client.post(
        f"/v1/partners/{mine.id}/members", json={"name": "Z"}, headers=member_h
    )
    assert by_member.status_code == 403
    assert by_member.json()["error"] == "partner_admin_required"
    listed = await client.get("/v1/services", headers=member_h)
    assert [s["id"] for s in listed.json()["items"]] == [own.json()["id"]]


async def test_sub_account_is_added_by_the_main_account_only(
    client: AsyncClient, factory: Factory
) -> None:
    seller, main = await factory.seller()
    sub = await factory.account("seller", "sub", seller_id=seller.id)
    by_sub = await client.post(
        f"/v1/sellers/{seller.id}/sub-accounts",
        json={"name": "Another"},
        headers=await factory.headers(sub),
    )
    assert by_sub.status_code == 403 and by_sub.json()["error"] == "not_main_account"
    by_main = await client.post(
        f"/v1/sellers/{seller.id}/sub-accounts",
        json={"name": "Helper"},
        headers=await factory.headers(main),
    )
    assert by_main.status_code == 201 and by_main.json()["role"] == "sub"
    assert await _count(factory, Account) == 3


async def test_custom_service_offer_rules(client: AsyncClient, factory: Factory) -> None:
    partner = await factory.partner()
    admin_h = await factory.headers(
        await factory.account("partner", "admin", partner_id=partner.id)
    )
    seller, _ = await factory.seller()
    public = await factory.service(partner)
    custom = await factory.service(partner, visibility="custom")
    refused = await client.post(
        f"/v1/services/{public.id}/offers", json={"seller_id": seller.id}, headers=admin_h
    )
    assert refused.status_code == 400
    offered = await client.post(
        f"/v1/services/{custom.id}/offers", json={"seller_id": seller.id}, headers=admin_h
    )
    assert offered.status_code == 201
    again = await client.post(
        f"/v1/services/{custom.id}/offers", json={"seller_id": seller.id}, headers=admin_h
    )
    assert again.status_code == 409 and again.json()["error"] == "already_offered"


async def test_me_names_the_caller_and_dev_issuer_refuses_unknown_accounts(
    client: AsyncClient, factory: Factory
) -> None:
    seller, main = await factory.seller("DE")
    me = await client.get("/v1/me", headers=await factory.headers(main))
    assert me.json()["seller_id"] == seller.id and me.json()["role"] == "main"
    unknown = await client.post("/dev/identity-tokens", json={"account_id": "acc_nope"})
    assert unknown.status_code == 404 and unknown.json()["error"] == "unknown_account"
