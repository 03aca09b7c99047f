from __future__ import annotations

from datetime import timedelta

from httpx import AsyncClient, Response

from tests.factories import Factory
from tests.grants.helpers import World, stored
from tsp_auth.clock import now

TERMS = {
    "items",
    "roles",
    "areas",
    "authorized_object",
    "expires_at",
    "status",
    "version",
    "service_id",
    "seller_id",
    "market",
    "duration_days",
    "consented_by",
    "contact_email",
    "terms_version",
}


async def test_seller_main_and_sub_accounts_see_their_grants_only(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    sub = await factory.account("seller", "sub", seller_id=world.seller.id)
    _, stranger = await factory.seller("UK")
    for account in (world.main, sub):
        listed = await client.get("/v1/grants", headers=await factory.headers(account))
        assert listed.status_code == 200, listed.text
        assert [g["id"] for g in listed.json()["items"]] == [world.grant.id]
        assert listed.json()["next_cursor"] is None
    other = await factory.headers(stranger)
    assert (await client.get("/v1/grants", headers=other)).json()["items"] == []
    foreign = await client.get(f"/v1/grants/{world.grant.id}", headers=other)
    assert foreign.status_code == 404 and foreign.json()["error"] == "not_found"


async def test_partner_sees_its_grants_with_the_full_terms(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    member = await factory.account("partner", "member", partner_id=world.partner.id)
    await factory.assignment(member, world.seller)
    outsider = await factory.account("partner", "admin", partner_id=(await factory.partner()).id)
    read = await client.get(f"/v1/grants/{world.grant.id}", headers=await factory.headers(member))
    assert read.status_code == 200, read.text
    grant = read.json()
    assert grant.keys() >= TERMS
    assert grant["seller_id"] == world.seller.id and grant["partner_id"] == world.partner.id
    assert grant["service_id"] == world.service.id and grant["market"] == "UK"
    assert grant["roles"] == ["marketing", "orders", "products"]  # sorted
    assert grant["items"] == ["data_compass", "seller_center_access"]
    assert grant["areas"] == ["live"] and grant["duration_days"] == 90
    assert (grant["status"], grant["version"], grant["kind"]) == ("active", 1, "tsp_access")
    assert grant["consented_by"] == world.main.id and grant["terms_version"] == "2025-01"
    assert grant["contact_email"] == "owner@example.com"
    outsider_h = await factory.headers(outsider)
    assert (await client.get("/v1/grants", headers=outsider_h)).json()["items"] == []
    hidden = await client.get(f"/v1/grants/{world.grant.id}", headers=outsider_h)
    assert hidden.status_code == 404


async def test_a_member_sees_only_the_sellers_assigned_to_it(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    admin = await factory.account("partner", "admin", partner_id=world.partner.id)
    member = await factory.account("partner", "member", partner_id=world.partner.id)
    other_seller, _ = await factory.seller("UK")
    other = await factory.grant(other_seller, world.service)
    await factory.assignment(member, other_seller)

    def ids(response: Response) -> set[str]:
        return {g["id"] for g in response.json()["items"]}

    member_h, admin_h = await factory.headers(member), await factory.headers(admin)
    assert ids(await client.get("/v1/grants", headers=member_h)) == {other.id}
    assert ids(await client.get("/v1/grants", headers=admin_h)) == {world.grant.id, other.id}
    unassigned = await client.get(f"/v1/grants/{world.grant.id}", headers=member_h)
    assert unassigned.status_code == 404


async def test_grant_past_expiry_reads_expired_before_any_sweep(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    lapsed_service = await factory.service(world.partner)
    lapsed = await factory.grant(
        world.seller, lapsed_service, expires_at=now() - timedelta(seconds=1)
    )
    headers = await factory.headers(world.main)
    read = await client.get(f"/v1/grants/{lapsed.id}", headers=headers)
    assert read.json()["status"] == "expired"
    assert (await stored(factory, lapsed.id)).status == "active"  # the sweep has not run
    active = await client.get("/v1/grants", params={"status": "active"}, headers=headers)
    expired = await client.get("/v1/grants", params={"status": "expired"}, headers=headers)
    assert [g["id"] for g in active.json()["items"]] == [world.grant.id]
    assert [g["id"] for g in expired.json()["items"]] == [lapsed.id]


async def test_operator_sees_every_grant_and_filters(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    other_partner = await factory.partner()
    other_service = await factory.service(other_partner)
    other_seller, _ = await factory.seller("DE")
    other = await factory.grant(other_seller, other_service, status="deactivated")
    op = await factory.headers(await factory.operator())

    async def ids(**params: str) -> list[str]:
        response = await client.get("/v1/grants", params=params, headers=op)
        assert response.status_code == 200, response.text
        return [g["id"] for g in response.json()["items"]]

    assert sorted(await ids()) == sorted([world.grant.id, other.id])
    assert await ids(seller_id=other_seller.id) == [other.id]
    assert await ids(partner_id=world.partner.id) == [world.grant.id]
    assert await ids(service_id=other_service.id) == [other.id]
    assert await ids(status="deactivated") == [other.id]
    assert await ids(status="cancelled") == []
    bad = await client.get("/v1/grants", params={"status": "paused"}, headers=op)
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_request"


async def test_filters_narrow_a_partner_view_and_never_widen_it(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    other_seller, _ = await factory.seller("UK")
    foreign = await factory.grant(other_seller, await factory.service(await factory.partner()))
    admin = await factory.account("partner", "admin", partner_id=world.partner.id)
    response = await client.get(
        "/v1/grants", params={"seller_id": other_seller.id}, headers=await factory.headers(admin)
    )
    assert response.json()["items"] == []
    assert foreign.id not in response.text


async def test_pages_follow_created_at_then_id_with_an_opaque_cursor(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    for _ in range(4):
        await factory.grant(world.seller, await factory.service(world.partner))
    headers = await factory.headers(world.main)
    seen: list[dict[str, str]] = []
    cursor: str | None = None
    for _ in range(3):
        params = {"limit": "2"} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/v1/grants", params=params, headers=headers)).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert cursor is None and len(seen) == 5
    keys = [(g["created_at"], g["id"]) for g in seen]
    assert keys == sorted(keys) and len(set(keys)) == 5


async def test_bad_limit_and_cursor_are_400(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    headers = await factory.headers(world.main)
    too_many = await client.get("/v1/grants", params={"limit": "101"}, headers=headers)
    assert too_many.status_code == 400
    for cursor in ("not-a-cursor", "W10", "WyIyMDI1LTAxLTAxIiwgMV0"):
        bad = await client.get("/v1/grants", params={"cursor": cursor}, headers=headers)
        assert bad.status_code == 400 and bad.json()["error"] == "invalid_cursor", cursor


async def test_other_account_kinds_see_no_grants(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    owner = await factory.headers(await factory.account("tiktok", "main"))
    assert (await client.get("/v1/grants", headers=owner)).json()["items"] == []
    hidden = await client.get(f"/v1/grants/{world.grant.id}", headers=owner)
    assert hidden.status_code == 404


async def test_grant_routes_need_an_identity(client: AsyncClient, world: World) -> None:
    assert (await client.get("/v1/grants")).status_code == 401
    assert (await client.get(f"/v1/grants/{world.grant.id}")).status_code == 401
    patched = await client.patch(f"/v1/grants/{world.grant.id}", json={"roles": ["orders"]})
    assert patched.status_code == 401
