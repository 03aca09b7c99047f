"""The QR card page in a real headless Chromium: a Business Center admin signs in with the
development cookie sign-in and sees the QR code, loaded by the browser with that cookie."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_consent_browser import base_url, browser, page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

BC_ADMIN = "acc_demo_bc_admin"


def _request_access(base: str) -> dict[str, str]:
    token = httpx.post(f"{base}/dev/identity-tokens", json={"account_id": BC_ADMIN})
    me = httpx.get(f"{base}/v1/me", headers={"Authorization": f"Bearer {token.json()['id_token']}"})
    [centre] = me.json()["business_centers"]
    created = httpx.post(
        f"{base}/v1/business-centers/{centre['id']}/access-requests",
        json={"scope": "ad_delivery_existing_posts"},
        headers={"Authorization": f"Bearer {token.json()['id_token']}"},
    )
    assert created.status_code == 201, created.text
    body: dict[str, str] = created.json()
    return body


def test_admin_opens_the_qr_card_with_the_cookie_sign_in(
    page: Page,  # noqa: F811
    base_url: str,  # noqa: F811
) -> None:
    created = _request_access(base_url)
    assert created["card_url"].startswith(base_url)
    page.goto(created["card_url"])
    expect(page).to_have_url(re.compile(r"/dev/login\?return_to=/bc/business-centers/"))
    page.get_by_label("Account id").fill(BC_ADMIN)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(created["card_url"])
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "QR card: request TikTok account access"
    )
    qr = page.locator("#qr")
    expect(qr).to_be_visible()
    # The image loaded (the cookie reached qr.png): a broken image has no natural width.
    page.wait_for_function("document.getElementById('qr').naturalWidth > 100")
    expect(page.locator("#download")).to_have_attribute("download", "tiktok-account-access.png")
