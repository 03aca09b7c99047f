"""A Business Center admin lists its pending access requests and withdraws one: the QR code
stops working at once (seed 003 step 1)."""

from __future__ import annotations

from httpx import AsyncClient

from tests.business_centers.helpers import (
    LIVE_VIDEOS,
    BcWorld,
    count,
    expire_request,
    request_access,
    token_of,
)
from tests.factories import Factory
from tsp_auth.models import AuditEvent, BcAccessRequest, Grant


async def _stored(factory: Factory, request_id: str) -> BcAccessRequest:
    async with factory.app.state.sessionmaker() as session:
        row = await session.get(BcAccessRequest, request_id)
        assert row is not None
        return row


async def test_admin_lists_pending_requests_oldest_first_in_pages(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    ids = [(await request_access(client, world))["request_id"] for _ in range(3)]
    expired = (await request_access(client, world, LIVE_VIDEOS))["request_id"]
    await expire_request(factory, expired)
    used = await request_access(client, world)
    approved = await client.post(
        f"/v1/bc-access/{token_of(used['link'])}/approve", headers=world.owner_h
    )
    assert approved.status_code == 200
    url = f"/v1/business-centers/{world.bc.id}/access-requests"
    first = await client.get(url, params={"limit": 2}, headers=world.admin_h)
    assert first.status_code == 200, first.text
    assert [r["id"] for r in first.json()["items"]] == ids[:2]
    assert all(r["status"] == "pending" for r in first.json()["items"])
    cursor = first.json()["next_cursor"]
    second = await client.get(url, params={"limit": 2, "cursor": cursor}, headers=world.admin_h)
    assert [r["id"] for r in second.json()["items"]] == ids[2:]
    assert second.json()["next_cursor"] is None
    bad = await client.get(url, params={"cursor": "bm9wZQ"}, headers=world.admin_h)
    assert (bad.status_code, bad.json()["error"]) == (400, "invalid_cursor")


async def test_only_admins_of_the_business_center_list(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    await request_access(client, world)
    url = f"/v1/business-centers/{world.bc.id}/access-requests"
    member = await client.get(url, headers=world.member_h)
    assert (member.status_code, member.json()["error"]) == (403, "bc_admin_required")
    _, other_admin = await factory.business_center()
    stranger = await client.get(url, headers=await factory.headers(other_admin))
    assert stranger.status_code == 404
    assert "items" not in member.text and "items" not in stranger.text


async def test_withdrawn_request_stops_its_qr_code_at_once(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    created = await request_access(client, world)
    rid, token = created["request_id"], token_of(created["link"])
    url = f"/v1/business-centers/{world.bc.id}/access-requests/{rid}"
    withdrawn = await client.delete(url, headers=world.admin_h)
    assert withdrawn.status_code == 200, withdrawn.text
    assert (withdrawn.json()["status"], withdrawn.json()["id"]) == ("withdrawn", rid)
    row = await _stored(factory, rid)
    assert (row.status, row.token_encrypted) == ("withdrawn", None)
    scan = await client.get(f"/v1/bc-access/{token}", headers=world.owner_h)
    assert (scan.status_code, scan.json()["error"]) == (410, "request_withdrawn")
    approve = await client.post(f"/v1/bc-access/{token}/approve", headers=world.owner_h)
    assert (approve.status_code, approve.json()["error"]) == (410, "request_withdrawn")
    assert await count(factory, Grant, Grant.grantor_id == world.owner.id) == 0
    png = await client.get(created["qr_png_url"], headers=world.admin_h)
    assert (png.status_code, png.json()["error"]) == (410, "request_withdrawn")
    listed = await client.get(
        f"/v1/business-centers/{world.bc.id}/access-requests", headers=world.admin_h
    )
    assert listed.json()["items"] == []
    events = await count(factory, AuditEvent, AuditEvent.action == "bc_access.withdrawn")
    assert events == 1


async def test_withdrawal_refusals_change_nothing(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    created = await request_access(client, world)
    rid = created["request_id"]
    url = f"/v1/business-centers/{world.bc.id}/access-requests/{rid}"
    member = await client.delete(url, headers=world.member_h)
    assert (member.status_code, member.json()["error"]) == (403, "bc_admin_required")
    _, other_admin = await factory.business_center()
    stranger = await client.delete(url, headers=await factory.headers(other_admin))
    assert stranger.status_code == 404
    assert (await _stored(factory, rid)).status == "pending"
    approved = await client.post(
        f"/v1/bc-access/{token_of(created['link'])}/approve", headers=world.owner_h
    )
    assert approved.status_code == 200
    late = await client.delete(url, headers=world.admin_h)
    assert (late.status_code, late.json()["error"]) == (409, "request_not_pending")
    assert (await _stored(factory, rid)).status == "approved"
    old = (await request_access(client, world))["request_id"]
    await expire_request(factory, old)
    gone = await client.delete(
        f"/v1/business-centers/{world.bc.id}/access-requests/{old}", headers=world.admin_h
    )
    assert (gone.status_code, gone.json()["error"]) == (410, "request_expired")
    assert (await _stored(factory, old)).status == "pending"
    withdrawn = await count(
        factory,
        AuditEvent,
        AuditEvent.action == "bc_access.withdrawn",
        AuditEvent.outcome == "success",
    )
    assert withdrawn == 0
