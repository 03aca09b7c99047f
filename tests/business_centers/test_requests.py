"""Seed 003 step 1: only a Business Center admin requests access; the QR code carries the link."""

from __future__ import annotations

import io
import struct

import segno
from httpx import AsyncClient

from tests.business_centers.helpers import (
    LIVE_VIDEOS,
    BcWorld,
    count,
    expire_request,
    identity,
    request_access,
    token_of,
)
from tests.factories import Factory
from tsp_auth.business_centers import qr
from tsp_auth.models import AuditEvent, BcAccessRequest, BusinessCenter
from tsp_auth.oauth.opaque import digest

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def test_operator_creates_a_business_center_with_its_first_admin(
    client: AsyncClient, factory: Factory
) -> None:
    op = await factory.headers(await factory.operator())
    created = await client.post(
        "/v1/business-centers", json={"name": "Brand", "admin": {"name": "Ada"}}, headers=op
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["admin"]["kind"] == "business_center" and body["admin"]["role"] == "admin"
    assert body["admin"]["business_center_id"] == body["id"]
    admin_h = await identity(client, body["admin"]["id"])
    member = await client.post(
        f"/v1/business-centers/{body['id']}/members",
        json={"name": "Mo", "role": "member"},
        headers=admin_h,
    )
    assert member.status_code == 201 and member.json()["role"] == "member"


async def test_only_operators_create_business_centers(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    before = await count(factory, BusinessCenter)
    refused = await client.post(
        "/v1/business-centers", json={"name": "X", "admin": {"name": "A"}}, headers=world.admin_h
    )
    assert refused.status_code == 403 and refused.json()["error"] == "operator_required"
    assert await count(factory, BusinessCenter) == before


async def test_standard_member_cannot_add_members(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    refused = await client.post(
        f"/v1/business-centers/{world.bc.id}/members",
        json={"name": "Eve", "role": "admin"},
        headers=world.member_h,
    )
    assert refused.status_code == 403 and refused.json()["error"] == "bc_admin_required"


async def test_admin_requests_access_and_gets_a_single_use_link_and_qr(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    created = await request_access(client, world, LIVE_VIDEOS)
    issuer = factory.app.state.settings.issuer
    assert created["link"].startswith(f"{issuer}/bc/authorize/")
    # Absolute, from the issuer: a browser or a frontend on another origin can follow them.
    rid = created["request_id"]
    assert created["qr_png_url"] == (
        f"{issuer}/v1/business-centers/{world.bc.id}/access-requests/{rid}/qr.png"
    )
    assert (
        created["card_url"] == f"{issuer}/bc/business-centers/{world.bc.id}/access-requests/{rid}"
    )
    token = token_of(created["link"])
    async with factory.app.state.sessionmaker() as session:
        row = await session.get(BcAccessRequest, created["request_id"])
    assert row is not None and row.status == "pending" and row.scope == LIVE_VIDEOS
    # Only the hash and a Fernet-sealed copy are stored, never the token itself.
    assert row.token_hash == digest(token)
    assert row.token_encrypted is not None and token not in row.token_encrypted

    png = await client.get(created["qr_png_url"], headers=world.admin_h)
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.headers["cache-control"] == "no-store"
    assert png.content.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", png.content[16:24])  # the IHDR chunk
    assert width == height and 200 <= width <= 1200
    # segno made it from the link: the same QR code drawn independently is byte for byte equal.
    expected = io.BytesIO()
    segno.make_qr(created["link"], error=qr.QR_ERROR).save(
        expected, kind="png", scale=qr.QR_SCALE, border=qr.QR_BORDER
    )
    assert png.content == expected.getvalue()


async def test_standard_member_cannot_request_access_and_nothing_is_written(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    refused = await client.post(
        f"/v1/business-centers/{world.bc.id}/access-requests",
        json={"scope": "ad_delivery_existing_posts"},
        headers=world.member_h,
    )
    assert refused.status_code == 403 and refused.json()["error"] == "bc_admin_required"
    assert await count(factory, BcAccessRequest) == 0
    denied = await count(
        factory,
        AuditEvent,
        AuditEvent.action == "bc_access.requested",
        AuditEvent.reason == "bc_admin_required",
    )
    assert denied == 1


async def test_operators_and_owners_cannot_request_either(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    op = await factory.headers(await factory.operator())
    url = f"/v1/business-centers/{world.bc.id}/access-requests"
    body = {"scope": "ad_delivery_existing_posts"}
    as_operator = await client.post(url, json=body, headers=op)
    as_owner = await client.post(url, json=body, headers=world.owner_h)
    assert as_operator.status_code == 403 and as_operator.json()["error"] == "bc_admin_required"
    assert as_owner.status_code == 404  # not its business center
    assert await count(factory, BcAccessRequest) == 0


async def test_unknown_scope_is_400(client: AsyncClient, world: BcWorld) -> None:
    response = await client.post(
        f"/v1/business-centers/{world.bc.id}/access-requests",
        json={"scope": "everything"},
        headers=world.admin_h,
    )
    assert response.status_code == 400


async def test_qr_is_for_admins_of_that_bc_and_only_while_pending(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    created = await request_access(client, world)
    other_bc, other_admin = await factory.business_center()
    other_h = await factory.headers(other_admin)
    as_member = await client.get(created["qr_png_url"], headers=world.member_h)
    as_stranger = await client.get(created["qr_png_url"], headers=other_h)
    wrong_bc = await client.get(
        created["qr_png_url"].replace(world.bc.id, other_bc.id), headers=other_h
    )
    assert as_member.status_code == 403 and as_member.json()["error"] == "bc_admin_required"
    assert as_stranger.status_code == 404
    assert wrong_bc.status_code == 404
    await expire_request(factory, created["request_id"])
    expired = await client.get(created["qr_png_url"], headers=world.admin_h)
    assert expired.status_code == 410 and expired.json()["error"] == "request_expired"
    read = await client.get(
        f"/v1/business-centers/{world.bc.id}/access-requests/{created['request_id']}",
        headers=world.admin_h,
    )
    assert read.status_code == 200 and read.json()["status"] == "expired"


async def test_another_business_center_does_not_exist_for_the_caller(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    other_bc, _ = await factory.business_center()
    for path in ("", "/tiktok-accounts"):
        response = await client.get(
            f"/v1/business-centers/{other_bc.id}{path}", headers=world.admin_h
        )
        assert response.status_code == 404, path
    response = await client.post(
        f"/v1/business-centers/{other_bc.id}/access-requests",
        json={"scope": "ad_delivery_existing_posts"},
        headers=world.admin_h,
    )
    assert response.status_code == 404
