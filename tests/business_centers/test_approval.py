"""The owner scans the QR code and approves (or rejects): one grant, no expiry, single use."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from tests.business_centers.helpers import (
    EXISTING_POSTS,
    LIVE_VIDEOS,
    BcWorld,
    approve,
    count,
    expire_request,
    make_world,
    request_access,
    token_of,
)
from tests.factories import Factory
from tsp_auth.models import BcAccessRequest, Grant


async def test_owner_sees_the_offer_then_approves_a_grant_without_expiry(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    token = token_of((await request_access(client, world))["link"])
    offer = await client.get(f"/v1/bc-access/{token}", headers=world.owner_h)
    assert offer.status_code == 200, offer.text
    assert offer.json()["business_center_id"] == world.bc.id
    assert [p["code"] for p in offer.json()["permissions"]] == [
        "ad_enabled_posts",
        "profile_info",
        "public_videos",
    ]
    approved = await client.post(f"/v1/bc-access/{token}/approve", headers=world.owner_h)
    assert approved.status_code == 200, approved.text
    grant = approved.json()["grant"]
    assert grant["tiktok_account_id"] == world.owner.id
    assert grant["business_center_id"] == world.bc.id
    assert grant["scopes"] == ["ad_enabled_posts", "profile_info", "public_videos"]
    assert grant["expires_at"] is None and grant["status"] == "active" and grant["version"] == 1
    async with factory.app.state.sessionmaker() as session:
        row = await session.get(Grant, grant["id"])
        request = await session.scalar(select(BcAccessRequest))
    assert row is not None and row.kind == "business_center" and row.consented_by == world.owner.id
    assert request is not None and request.grant_id == grant["id"]
    assert request.status == "approved" and request.tiktok_account_id == world.owner.id


async def test_token_is_single_use(client: AsyncClient, factory: Factory, world: BcWorld) -> None:
    token = token_of((await request_access(client, world))["link"])
    first = await client.post(f"/v1/bc-access/{token}/approve", headers=world.owner_h)
    second = await client.post(f"/v1/bc-access/{token}/approve", headers=world.owner_h)
    other_owner = await factory.headers(await factory.tiktok_account())
    third = await client.post(f"/v1/bc-access/{token}/approve", headers=other_owner)
    assert first.status_code == 200
    for again in (second, third):
        assert again.status_code == 410 and again.json()["error"] == "request_already_decided"
    assert await count(factory, Grant, Grant.kind == "business_center") == 1
    # Once decided the sealed token is gone: the QR code cannot be drawn again.
    async with factory.app.state.sessionmaker() as session:
        request = await session.scalar(select(BcAccessRequest))
    assert request is not None and request.token_encrypted is None


async def test_concurrent_approvals_of_one_token_make_one_grant(
    committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    """Real commits, one connection per request: the atomic UPDATE lets exactly one win."""
    committed = Factory(committed_app, committed_client)
    world = await make_world(committed)
    token = token_of((await request_access(committed_client, world))["link"])
    answers = await asyncio.gather(
        *(
            committed_client.post(f"/v1/bc-access/{token}/approve", headers=world.owner_h)
            for _ in range(4)
        )
    )
    assert sorted(a.status_code for a in answers) == [200, 410, 410, 410]
    assert await count(committed, Grant, Grant.kind == "business_center") == 1


async def test_expired_request_is_410_and_writes_nothing(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    created = await request_access(client, world)
    await expire_request(factory, created["request_id"])
    token = token_of(created["link"])
    offer = await client.get(f"/v1/bc-access/{token}", headers=world.owner_h)
    approved = await client.post(f"/v1/bc-access/{token}/approve", headers=world.owner_h)
    for response in (offer, approved):
        assert response.status_code == 410 and response.json()["error"] == "request_expired"
    assert await count(factory, Grant) == 0


async def test_unknown_token_is_404(client: AsyncClient, world: BcWorld) -> None:
    response = await client.post("/v1/bc-access/not-a-token/approve", headers=world.owner_h)
    assert response.status_code == 404


async def test_only_a_tiktok_account_answers_and_the_token_survives(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    token = token_of((await request_access(client, world))["link"])
    for headers in (world.admin_h, world.member_h):
        refused = await client.post(f"/v1/bc-access/{token}/approve", headers=headers)
        assert refused.status_code == 403 and refused.json()["error"] == "tiktok_account_required"
    assert await count(factory, Grant) == 0
    # The refusals did not use the token up.
    approved = await client.post(f"/v1/bc-access/{token}/approve", headers=world.owner_h)
    assert approved.status_code == 200


async def test_owner_rejects_and_nothing_is_granted(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    created = await request_access(client, world)
    token = token_of(created["link"])
    rejected = await client.post(f"/v1/bc-access/{token}/reject", headers=world.owner_h)
    assert rejected.status_code == 200 and rejected.json() == {"status": "rejected", "grant": None}
    again = await client.post(f"/v1/bc-access/{token}/approve", headers=world.owner_h)
    assert again.status_code == 410
    assert await count(factory, Grant) == 0
    read = await client.get(
        f"/v1/business-centers/{world.bc.id}/access-requests/{created['request_id']}",
        headers=world.admin_h,
    )
    assert (
        read.json()["status"] == "rejected" and read.json()["tiktok_account_id"] == world.owner.id
    )


async def test_a_second_scope_widens_the_one_active_grant(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    first = await approve(client, world, scope=EXISTING_POSTS)
    second = await approve(client, world, scope=LIVE_VIDEOS)
    assert second["id"] == first["id"] and second["version"] == 2
    assert second["scopes"] == ["ad_enabled_posts", "live_videos", "profile_info", "public_videos"]
    assert await count(factory, Grant, Grant.status == "active") == 1
