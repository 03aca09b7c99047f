"""The QR card page: a Business Center admin opens it in the browser with the cookie sign-in
and gets the QR code image with the same cookie (seed 003 "Copy QR card")."""

from __future__ import annotations

from urllib.parse import urlsplit

from httpx import AsyncClient

from tests.business_centers.helpers import BcWorld, request_access
from tests.consent_page.helpers import sign_in
from tests.factories import Factory
from tsp_auth.models import Account

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def _sign_in(client: AsyncClient, account: Account) -> None:
    await sign_in(client, account)


def _path(url: str) -> str:
    return urlsplit(url).path


async def test_signed_in_admin_opens_the_card_and_its_qr_code(
    client: AsyncClient, world: BcWorld
) -> None:
    created = await request_access(client, world)
    await _sign_in(client, world.admin)
    page = await client.get(_path(created["card_url"]))
    assert page.status_code == 200, page.text
    qr_path = _path(created["qr_png_url"])
    assert f'src="{qr_path}"' in page.text and "Ad delivery with existing posts" in page.text
    assert created["link"] not in page.text  # the token is only inside the picture
    csp = page.headers["content-security-policy"]
    assert "img-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert page.headers["cache-control"] == "no-store"
    png = await client.get(qr_path)  # no bearer: the cookie, as the browser's <img> sends it
    assert png.status_code == 200, png.text
    assert png.headers["content-type"] == "image/png" and png.content.startswith(PNG_SIGNATURE)
    assert png.headers["cross-origin-resource-policy"] == "same-origin"


async def test_signed_out_browser_is_sent_to_sign_in_and_back(
    client: AsyncClient, world: BcWorld
) -> None:
    created = await request_access(client, world)
    path = _path(created["card_url"])
    page = await client.get(path)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/dev/login?return_to=" + path)
    png = await client.get(_path(created["qr_png_url"]))
    assert (png.status_code, png.json()["error"]) == (401, "unauthorized")


async def test_members_and_other_centres_get_error_pages_not_the_code(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    created = await request_access(client, world)
    path, qr_path = _path(created["card_url"]), _path(created["qr_png_url"])
    await _sign_in(client, world.member)
    member = await client.get(path)
    assert member.status_code == 403 and "bc_admin_required" in member.text
    assert qr_path not in member.text
    assert (await client.get(qr_path)).status_code == 403
    _, other_admin = await factory.business_center()
    await _sign_in(client, other_admin)
    stranger = await client.get(path)
    assert stranger.status_code == 404 and qr_path not in stranger.text


async def test_a_withdrawn_request_has_no_card(client: AsyncClient, world: BcWorld) -> None:
    created = await request_access(client, world)
    request_url = f"/v1/business-centers/{world.bc.id}/access-requests/{created['request_id']}"
    assert (await client.delete(request_url, headers=world.admin_h)).status_code == 200
    await _sign_in(client, world.admin)
    page = await client.get(_path(created["card_url"]))
    assert page.status_code == 410 and "request_withdrawn" in page.text
