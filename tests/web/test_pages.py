"""Every server-rendered page of ours stands on ``base.html``: the error pages of every flow
render ``error.html`` (issue 11 item 5), a page opened without a sign-in answers alike
everywhere, and the development callback is a template like the rest."""

from __future__ import annotations

from httpx import AsyncClient, Response

from tests.business_centers.helpers import count
from tests.consent_page.helpers import assert_page_headers, sign_in
from tests.factories import Factory
from tsp_auth.models import AuditEvent, Grant

SAME_ORIGIN = {"origin": "http://127.0.0.1:8000"}  # the origin of TSP_AUTH_ISSUER in tests
CROSS_SITE = {"origin": "https://evil.example"}


def _assert_base_page(page: Response, title: str) -> None:
    """The shared base template: title suffix, viewport, style sheet, support footer."""
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert_page_headers(page)
    html = page.text
    assert f"<title>{title} · TikTok Shop Partner authorization</title>" in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "--accent: #0b57d0" in html
    assert f"<h1>{title}</h1>" in html
    assert '<footer>Support reference: <span id="support-reference">' in html


def _assert_error_page(page: Response, status: int, title: str, error: str) -> None:
    assert page.status_code == status, page.text
    _assert_base_page(page, title)
    assert '<p id="error-description">' in page.text
    assert f'Reference for support: <code id="error">{error}</code>' in page.text


async def test_every_flows_error_pages_are_error_html_on_the_base_template(
    client: AsyncClient, factory: Factory
) -> None:
    link = await client.get("/open/authorize", params={"service_id": "svc_doesnotexist"})
    cross_site = await client.post("/bc/authorize/qr_x", data={}, headers=CROSS_SITE)
    dev_forged = await client.post("/dev/login", data={"account_id": "acc_x"})
    _, main = await factory.seller("UK")
    await sign_in(client, main)
    consent_forged = await client.post(
        "/consent/azr_doesnotexist", data={"decision": "accept"}, headers=SAME_ORIGIN
    )
    await sign_in(client, await factory.tiktok_account())
    unknown_qr = await client.get("/bc/authorize/qr_doesnotexist")

    _assert_error_page(link, 404, "Authorization link not found", "unknown_service")
    _assert_error_page(cross_site, 403, "This QR code cannot be used", "origin_mismatch")
    _assert_error_page(dev_forged, 403, "Sign-in refused", "csrf_token_invalid")
    assert "Open the sign-in page again" in dev_forged.text
    _assert_error_page(consent_forged, 403, "You cannot decide this request", "csrf_token_invalid")
    _assert_error_page(unknown_qr, 404, "This QR code cannot be used", "not_found")
    assert await count(factory, Grant) == 0
    assert await count(factory, AuditEvent, AuditEvent.outcome == "denied") == 0


async def test_without_the_development_issuer_every_page_asks_for_the_platforms_sign_in(
    platform_client: AsyncClient,
) -> None:
    gets = (
        "/consent/azr_x",
        "/consent/azr_x/done",
        "/bc/authorize/qr_x",
        "/bc/business-centers/bc_x/access-requests/bcr_x",
    )
    pages = [await platform_client.get(path) for path in gets]
    for path in ("/consent/azr_x", "/bc/authorize/qr_x"):
        pages.append(await platform_client.post(path, data={}, headers=SAME_ORIGIN))

    for page in pages:
        _assert_error_page(page, 401, "Sign in to continue", "login_required")
        assert "the TikTok Shop platform does" in page.text
        assert page.headers["www-authenticate"] == 'Bearer realm="tsp-auth"'


async def test_the_demo_partner_callback_is_a_page_like_the_others(client: AsyncClient) -> None:
    page = await client.get("/demo/partner-callback", params={"code": "c0de", "state": "<b>x</b>"})

    assert page.status_code == 200
    _assert_base_page(page, "Partner callback (demo)")
    assert '<td id="code">c0de</td>' in page.text
    assert '<td id="state">&lt;b&gt;x&lt;/b&gt;</td>' in page.text
    assert "<b>x</b>" not in page.text
