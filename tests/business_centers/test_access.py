"""Seed 003 step 2 and the roles table: assignments, who sees which account, effective
permissions (Business Center access plus account linkage), and cancelling."""

from __future__ import annotations

from httpx import AsyncClient

from tests.business_centers.helpers import LIVE_VIDEOS, BcWorld, approve, assign, count
from tests.factories import Factory
from tsp_auth.models import BcAssignment, Grant

POSTS_SCOPES = ["ad_enabled_posts", "profile_info", "public_videos"]


async def test_admin_assigns_and_member_sees_only_assigned_accounts(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    await approve(client, world)
    second_owner = await factory.tiktok_account()
    await approve(client, world, await factory.headers(second_owner))
    assert await assign(client, world, world.member, world.owner, "analyst") == 201
    url = f"/v1/business-centers/{world.bc.id}/tiktok-accounts"
    as_admin = (await client.get(url, headers=world.admin_h)).json()["items"]
    as_member = (await client.get(url, headers=world.member_h)).json()["items"]
    assert {a["tiktok_account_id"] for a in as_admin} == {world.owner.id, second_owner.id}
    assert [a["tiktok_account_id"] for a in as_member] == [world.owner.id]
    assert as_member[0]["permission"] == "analyst" and as_member[0]["scopes"] == POSTS_SCOPES


async def test_standard_member_cannot_assign_and_nothing_is_written(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    await approve(client, world)
    response = await client.post(
        f"/v1/business-centers/{world.bc.id}/assignments",
        json={
            "member_id": world.member.id,
            "tiktok_account_id": world.owner.id,
            "permission": "admin",
        },
        headers=world.member_h,
    )
    assert response.status_code == 403 and response.json()["error"] == "bc_admin_required"
    assert await count(factory, BcAssignment) == 0


async def test_assignment_needs_a_member_of_this_bc_and_an_account_it_holds(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    await approve(client, world)
    other_bc, _ = await factory.business_center()
    outsider = await factory.bc_account(other_bc)
    not_held = await factory.tiktok_account()
    assert await assign(client, world, outsider, world.owner) == 404
    assert await assign(client, world, world.member, not_held) == 404
    assert await assign(client, world, world.member, world.owner) == 201
    assert await assign(client, world, world.member, world.owner) == 409
    bad_level = await client.post(
        f"/v1/business-centers/{world.bc.id}/assignments",
        json={
            "member_id": world.member.id,
            "tiktok_account_id": world.owner.id,
            "permission": "god",
        },
        headers=world.admin_h,
    )
    assert bad_level.status_code == 400
    assert await count(factory, BcAssignment) == 1


async def test_effective_permissions_of_an_assigned_member(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    grant = await approve(client, world)
    url = f"/v1/business-centers/{world.bc.id}/tiktok-accounts/{world.owner.id}/permissions"
    unassigned = await client.get(url, params={"member_id": world.member.id}, headers=world.admin_h)
    assert unassigned.status_code == 200 and unassigned.json()["permissions"] == []
    await assign(client, world, world.member, world.owner, "operator")
    mine = await client.get(url, headers=world.member_h)
    assert mine.status_code == 200
    assert mine.json()["permissions"] == POSTS_SCOPES and mine.json()["level"] == "operator"
    assert mine.json()["sources"][0]["grant_id"] == grant["id"]
    # A standard member asks about itself only.
    other = await client.get(url, params={"member_id": world.admin.id}, headers=world.member_h)
    assert other.status_code == 403 and other.json()["error"] == "bc_admin_required"


async def test_linked_user_outside_the_bc_keeps_the_linkage_permissions(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    """Seed 003, scenario 1: the BC's access does not touch a linked user who is not a member."""
    user = await factory.bc_account(None)
    await factory.linkage(world.owner, user, ["profile_info", "public_videos", "live_videos"])
    await approve(client, world, scope=LIVE_VIDEOS)
    user_h = await factory.headers(user)
    mine = await client.get(f"/v1/me/tiktok-accounts/{world.owner.id}/permissions", headers=user_h)
    assert mine.status_code == 200
    assert mine.json()["permissions"] == ["live_videos", "profile_info", "public_videos"]
    assert [s["source"] for s in mine.json()["sources"]] == ["account_linkage"]
    # The BC does not see a user that is not its member.
    url = f"/v1/business-centers/{world.bc.id}/tiktok-accounts/{world.owner.id}/permissions"
    as_admin = await client.get(url, params={"member_id": user.id}, headers=world.admin_h)
    assert as_admin.status_code == 404


async def test_linked_member_with_bc_access_gets_the_union(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    """Seed 003, scenario 2: linkage's authorizations plus the access given by the BC."""
    await factory.linkage(world.owner, world.member, ["live_videos"])
    await approve(client, world)
    await assign(client, world, world.member, world.owner, "analyst")
    url = f"/v1/business-centers/{world.bc.id}/tiktok-accounts/{world.owner.id}/permissions"
    found = await client.get(url, params={"member_id": world.member.id}, headers=world.admin_h)
    assert found.status_code == 200
    body = found.json()
    assert body["permissions"] == sorted([*POSTS_SCOPES, "live_videos"])
    assert {s["source"] for s in body["sources"]} == {"business_center", "account_linkage"}
    mine = await client.get(
        f"/v1/me/tiktok-accounts/{world.owner.id}/permissions", headers=world.member_h
    )
    assert mine.json()["permissions"] == body["permissions"]


async def test_owner_cancels_and_the_access_ends_at_once(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    grant = await approve(client, world)
    await assign(client, world, world.member, world.owner)
    cancelled = await client.post(
        f"/v1/bc-access/grants/{grant['id']}/cancel", headers=world.owner_h
    )
    assert cancelled.status_code == 200, cancelled.text
    body = cancelled.json()
    assert body["status"] == "cancelled" and body["status_reason"] == "owner_cancelled"
    assert body["version"] == 2
    listed = await client.get(
        f"/v1/business-centers/{world.bc.id}/tiktok-accounts", headers=world.member_h
    )
    assert listed.json() == {"items": [], "next_cursor": None}
    assert await count(factory, BcAssignment) == 0
    mine = await client.get(
        f"/v1/me/tiktok-accounts/{world.owner.id}/permissions", headers=world.member_h
    )
    assert mine.status_code == 404
    again = await client.post(f"/v1/bc-access/grants/{grant['id']}/cancel", headers=world.owner_h)
    assert again.status_code == 409 and again.json()["error"] == "grant_not_active"


async def test_bc_admin_cancels_members_and_strangers_cannot(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    grant = await approve(client, world)
    other_bc, other_admin = await factory.business_center()
    stranger = await factory.headers(await factory.tiktok_account())
    url = f"/v1/business-centers/{world.bc.id}/grants/{grant['id']}/cancel"
    as_member = await client.post(url, headers=world.member_h)
    as_other_admin = await client.post(url, headers=await factory.headers(other_admin))
    via_other_bc = await client.post(
        f"/v1/business-centers/{other_bc.id}/grants/{grant['id']}/cancel",
        headers=await factory.headers(other_admin),
    )
    as_stranger = await client.post(f"/v1/bc-access/grants/{grant['id']}/cancel", headers=stranger)
    as_bc_admin_owner_route = await client.post(
        f"/v1/bc-access/grants/{grant['id']}/cancel", headers=world.admin_h
    )
    assert as_member.status_code == 403 and as_member.json()["error"] == "bc_admin_required"
    for response in (as_other_admin, via_other_bc, as_stranger, as_bc_admin_owner_route):
        assert response.status_code == 404
    assert await count(factory, Grant, Grant.status == "active") == 1
    cancelled = await client.post(url, headers=world.admin_h)
    assert cancelled.status_code == 200
    assert cancelled.json()["status_reason"] == "business_center_cancelled"
    owners = await client.get("/v1/bc-access/grants", headers=world.owner_h)
    assert [g["status"] for g in owners.json()["items"]] == ["cancelled"]


async def test_owner_can_authorize_again_after_a_cancel(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    first = await approve(client, world)
    await client.post(f"/v1/bc-access/grants/{first['id']}/cancel", headers=world.owner_h)
    second = await approve(client, world)
    assert second["id"] != first["id"] and second["version"] == 1


async def test_operator_links_accounts(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    op = await factory.headers(await factory.operator())
    body = {
        "tiktok_account_id": world.owner.id,
        "user_id": world.member.id,
        "permissions": ["profile_info"],
    }
    created = await client.post("/v1/account-linkages", json=body, headers=op)
    assert created.status_code == 201, created.text
    assert (await client.post("/v1/account-linkages", json=body, headers=op)).status_code == 409
    refused = await client.post("/v1/account-linkages", json=body, headers=world.admin_h)
    assert refused.status_code == 403
    unknown = {**body, "permissions": ["all_the_things"]}
    assert (await client.post("/v1/account-linkages", json=unknown, headers=op)).status_code == 400
