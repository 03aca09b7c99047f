"""`/bc/authorize/{token}`: the page the QR code opens, for a signed-in TikTok account."""

from __future__ import annotations

import re

from httpx import AsyncClient

from tests.business_centers.helpers import BcWorld, count, expire_request, request_access, token_of
from tests.consent_page.helpers import sign_in
from tests.factories import Factory
from tsp_auth.models import Account, Grant

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SAME_ORIGIN = {"origin": "http://127.0.0.1:8000"}  # the origin of TSP_AUTH_ISSUER in tests


async def _sign_in(client: AsyncClient, account: Account) -> None:
    await sign_in(client, account)


async def _open(client: AsyncClient, token: str) -> str:
    page = await client.get(f"/bc/authorize/{token}")
    assert page.status_code == 200, page.text
    found = _CSRF.search(page.text)
    assert found is not None
    return found.group(1)


async def test_page_is_self_contained_and_approves(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    token = token_of((await request_access(client, world))["link"])
    await _sign_in(client, world.owner)
    page = await client.get(f"/bc/authorize/{token}")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "<script" not in page.text and " src=" not in page.text and "<link" not in page.text
    assert "Access profile info" in page.text and "does not expire" in page.text
    csrf = _CSRF.search(page.text)
    assert csrf is not None
    done = await client.post(
        f"/bc/authorize/{token}",
        data={"csrf_token": csrf.group(1), "decision": "approve"},
        headers=SAME_ORIGIN,
    )
    assert done.status_code == 200, done.text
    assert 'data-status="approved"' in done.text
    assert await count(factory, Grant, Grant.grantor_id == world.owner.id) == 1
    used = await client.get(f"/bc/authorize/{token}")
    assert used.status_code == 410 and "already used" in used.text


async def test_page_rejects(client: AsyncClient, factory: Factory, world: BcWorld) -> None:
    token = token_of((await request_access(client, world))["link"])
    await _sign_in(client, world.owner)
    csrf = await _open(client, token)
    done = await client.post(
        f"/bc/authorize/{token}",
        data={"csrf_token": csrf, "decision": "reject"},
        headers=SAME_ORIGIN,
    )
    assert done.status_code == 200 and 'data-status="rejected"' in done.text
    assert await count(factory, Grant) == 0


async def test_forged_or_cross_site_posts_are_refused(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    token = token_of((await request_access(client, world))["link"])
    await _sign_in(client, world.owner)
    csrf = await _open(client, token)
    url = f"/bc/authorize/{token}"
    forged = await client.post(
        url, data={"csrf_token": "x", "decision": "approve"}, headers=SAME_ORIGIN
    )
    missing = await client.post(url, data={"decision": "approve"}, headers=SAME_ORIGIN)
    cross = await client.post(
        url,
        data={"csrf_token": csrf, "decision": "approve"},
        headers={"origin": "https://evil.example"},
    )
    assert forged.status_code == 403 and "csrf_token_invalid" in forged.text
    assert missing.status_code == 403
    assert cross.status_code == 403 and "origin_mismatch" in cross.text
    assert await count(factory, Grant) == 0
    # The token is still good for the real owner's real form.
    ok = await client.post(
        url, data={"csrf_token": csrf, "decision": "approve"}, headers=SAME_ORIGIN
    )
    assert ok.status_code == 200


async def test_not_signed_in_goes_to_sign_in_and_comes_back(
    client: AsyncClient, world: BcWorld
) -> None:
    token = token_of((await request_access(client, world))["link"])
    page = await client.get(f"/bc/authorize/{token}")
    assert page.status_code == 303
    assert page.headers["location"].startswith("/dev/login?return_to=/bc/authorize/")


async def test_signed_in_as_a_bc_account_or_expired_is_refused(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    created = await request_access(client, world)
    token = token_of(created["link"])
    await _sign_in(client, world.admin)
    as_admin = await client.get(f"/bc/authorize/{token}")
    assert as_admin.status_code == 403 and "tiktok_account_required" in as_admin.text
    await _sign_in(client, world.owner)
    await expire_request(factory, created["request_id"])
    expired = await client.get(f"/bc/authorize/{token}")
    assert expired.status_code == 410 and "request_expired" in expired.text
