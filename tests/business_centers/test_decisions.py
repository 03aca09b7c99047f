"""Seed 003 permission levels, enforced: "pull video" for Spark Ads needs the member's
permission on the TikTok account via the Business Center AND admin or operator access to the
ad account; viewing needs an assignment for standard members only."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.business_centers.helpers import LIVE_VIDEOS, BcWorld, approve, assign, count
from tests.factories import Factory
from tsp_auth.models import Account, BcAdAccountAccess

PULL = "spark_ads.pull_video"
AD = "ad_001"


async def _ad_role(
    client: AsyncClient, world: BcWorld, member: Account, role: str, ad: str = AD
) -> int:
    response = await client.post(
        f"/v1/business-centers/{world.bc.id}/ad-account-access",
        json={"member_id": member.id, "ad_account_id": ad, "role": role},
        headers=world.admin_h,
    )
    return response.status_code


async def _decide(
    client: AsyncClient, world: BcWorld, headers: dict[str, str], **body: Any
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/business-centers/{world.bc.id}/decisions", json=body, headers=headers
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_pull_video_needs_the_account_permission_and_an_acting_ad_account_role(
    client: AsyncClient, world: BcWorld
) -> None:
    await approve(client, world)
    ask = {"tiktok_account_id": world.owner.id, "action": PULL, "ad_account_id": AD}
    steps = []
    steps.append((await _decide(client, world, world.member_h, **ask))["reason"])
    assert await assign(client, world, world.member, world.owner, "operator") == 201
    steps.append((await _decide(client, world, world.member_h, **ask))["reason"])
    assert await _ad_role(client, world, world.member, "analyst") == 201
    steps.append((await _decide(client, world, world.member_h, **ask))["reason"])
    assert steps == ["not_assigned", "ad_account_role_required", "ad_account_role_required"]
    assert await _ad_role(client, world, world.member, "operator", "ad_002") == 201
    allowed = await _decide(client, world, world.member_h, **{**ask, "ad_account_id": "ad_002"})
    assert allowed == {
        "allow": True,
        "reason": "ok",
        "member_id": world.member.id,
        "level": "operator",
        "ad_account_role": "operator",
    }
    no_ad = await _decide(
        client, world, world.member_h, tiktok_account_id=world.owner.id, action=PULL
    )
    assert (no_ad["allow"], no_ad["reason"]) == (False, "ad_account_required")


async def test_an_analyst_level_or_a_live_only_grant_cannot_pull_video(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    await approve(client, world)
    assert await assign(client, world, world.member, world.owner, "analyst") == 201
    assert await _ad_role(client, world, world.member, "admin") == 201
    ask = {"tiktok_account_id": world.owner.id, "action": PULL, "ad_account_id": AD}
    low = await _decide(client, world, world.member_h, **ask)
    assert (low["allow"], low["reason"], low["level"]) == (
        False,
        "permission_level_too_low",
        "analyst",
    )
    live_owner = await factory.tiktok_account()
    await approve(client, world, await factory.headers(live_owner), LIVE_VIDEOS)
    assert await assign(client, world, world.member, live_owner, "admin") == 201
    live = await _decide(
        client, world, world.member_h, **{**ask, "tiktok_account_id": live_owner.id}
    )
    assert (live["allow"], live["reason"]) == (False, "scope_not_granted")


async def test_admins_view_without_assignment_but_need_one_to_pull_video(
    client: AsyncClient, world: BcWorld
) -> None:
    await approve(client, world)
    view = {"tiktok_account_id": world.owner.id, "action": "tiktok_account.view"}
    assert (await _decide(client, world, world.admin_h, **view))["allow"] is True
    member_view = await _decide(client, world, world.member_h, **view)
    assert (member_view["allow"], member_view["reason"]) == (False, "not_assigned")
    assert await _ad_role(client, world, world.admin, "admin") == 201
    pull = await _decide(
        client,
        world,
        world.admin_h,
        tiktok_account_id=world.owner.id,
        action=PULL,
        ad_account_id=AD,
    )
    assert (pull["allow"], pull["reason"]) == (False, "not_assigned")


async def test_a_cancelled_grant_or_unknown_action_is_denied_on_the_next_call(
    client: AsyncClient, world: BcWorld
) -> None:
    grant = await approve(client, world)
    assert await assign(client, world, world.member, world.owner, "operator") == 201
    assert await _ad_role(client, world, world.member, "operator") == 201
    ask = {"tiktok_account_id": world.owner.id, "action": PULL, "ad_account_id": AD}
    assert (await _decide(client, world, world.member_h, **ask))["allow"] is True
    odd = await _decide(client, world, world.member_h, **{**ask, "action": "spark_ads.delete"})
    assert (odd["allow"], odd["reason"]) == (False, "unknown_action")
    cancelled = await client.post(
        f"/v1/bc-access/grants/{grant['id']}/cancel", headers=world.owner_h
    )
    assert cancelled.status_code == 200
    after = await _decide(client, world, world.member_h, **ask)
    assert (after["allow"], after["reason"]) == (False, "tiktok_account_not_authorized")


async def test_who_may_ask_and_who_may_give_ad_account_roles(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    await approve(client, world)
    url = f"/v1/business-centers/{world.bc.id}"
    about_admin = await client.post(
        f"{url}/decisions",
        json={"tiktok_account_id": world.owner.id, "action": PULL, "member_id": world.admin.id},
        headers=world.member_h,
    )
    assert (about_admin.status_code, about_admin.json()["error"]) == (403, "bc_admin_required")
    about_member = await _decide(
        client,
        world,
        world.admin_h,
        tiktok_account_id=world.owner.id,
        action=PULL,
        member_id=world.member.id,
    )
    assert about_member["member_id"] == world.member.id
    by_member = await client.post(
        f"{url}/ad-account-access",
        json={"member_id": world.member.id, "ad_account_id": AD, "role": "admin"},
        headers=world.member_h,
    )
    assert (by_member.status_code, by_member.json()["error"]) == (403, "bc_admin_required")
    _, other_admin = await factory.business_center()
    stranger = await client.post(
        f"{url}/decisions",
        json={"tiktok_account_id": world.owner.id, "action": PULL},
        headers=await factory.headers(other_admin),
    )
    assert stranger.status_code == 404
    outsider = await factory.bc_account(None)
    foreign = await client.post(
        f"{url}/ad-account-access",
        json={"member_id": outsider.id, "ad_account_id": AD, "role": "admin"},
        headers=world.admin_h,
    )
    assert (foreign.status_code, foreign.json()["error"]) == (404, "unknown_member")
    bad_role = await client.post(
        f"{url}/ad-account-access",
        json={"member_id": world.member.id, "ad_account_id": AD, "role": "owner"},
        headers=world.admin_h,
    )
    assert bad_role.status_code == 400
    assert await count(factory, BcAdAccountAccess) == 0
    assert await _ad_role(client, world, world.member, "operator") == 201
    assert await _ad_role(client, world, world.member, "admin") == 409
    assert await count(factory, BcAdAccountAccess) == 1
