"""A business center with an admin and a standard member, a TikTok account owner, and the
steps of seed 003 driven through the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy import func, select, update

from tests.factories import Factory
from tsp_auth.clock import now
from tsp_auth.models import Account, BcAccessRequest, BusinessCenter

EXISTING_POSTS = "ad_delivery_existing_posts"
LIVE_VIDEOS = "ad_delivery_live_videos"


@dataclass
class BcWorld:
    bc: BusinessCenter
    admin: Account
    member: Account
    owner: Account
    admin_h: dict[str, str]
    member_h: dict[str, str]
    owner_h: dict[str, str]


async def make_world(factory: Factory) -> BcWorld:
    bc, admin = await factory.business_center()
    member = await factory.bc_account(bc, "member")
    owner = await factory.tiktok_account()
    return BcWorld(
        bc=bc,
        admin=admin,
        member=member,
        owner=owner,
        admin_h=await factory.headers(admin),
        member_h=await factory.headers(member),
        owner_h=await factory.headers(owner),
    )


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


async def request_access(
    client: AsyncClient, world: BcWorld, scope: str = EXISTING_POSTS
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/business-centers/{world.bc.id}/access-requests",
        json={"scope": scope},
        headers=world.admin_h,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def approve(
    client: AsyncClient,
    world: BcWorld,
    owner_h: dict[str, str] | None = None,
    scope: str = EXISTING_POSTS,
) -> dict[str, Any]:
    """Request, then the owner approves: the grant."""
    token = token_of((await request_access(client, world, scope))["link"])
    response = await client.post(f"/v1/bc-access/{token}/approve", headers=owner_h or world.owner_h)
    assert response.status_code == 200, response.text
    grant: dict[str, Any] = response.json()["grant"]
    return grant


async def assign(
    client: AsyncClient,
    world: BcWorld,
    member: Account,
    tiktok: Account,
    permission: str = "operator",
) -> int:
    response = await client.post(
        f"/v1/business-centers/{world.bc.id}/assignments",
        json={"member_id": member.id, "tiktok_account_id": tiktok.id, "permission": permission},
        headers=world.admin_h,
    )
    return response.status_code


async def count(factory: Factory, model: type, *where: Any) -> int:
    async with factory.app.state.sessionmaker() as session:
        query = select(func.count()).select_from(model)
        if where:
            query = query.where(*where)
        return int(await session.scalar(query) or 0)


async def expire_request(factory: Factory, request_id: str) -> None:
    async with factory.app.state.sessionmaker() as session:
        await session.execute(
            update(BcAccessRequest)
            .where(BcAccessRequest.id == request_id)
            .values(expires_at=now() - timedelta(seconds=1))
        )
        await session.commit()


async def identity(client: AsyncClient, account_id: str) -> dict[str, str]:
    """Identity headers for an account made through the API (the factory has no row for it)."""
    response = await client.post("/dev/identity-tokens", json={"account_id": account_id})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['id_token']}"}
