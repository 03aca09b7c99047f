"""Seed 003 in headless Chromium on a fresh demo database: the Business Center admin requests
access → the QR card → the TikTok account owner approves → the admin assigns a standard member
→ that member sees the account; a second request is withdrawn from the pending list."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.journeys import Server, profile, serve, shoot, sign_in
from tests.browser.test_consent_browser import browser  # noqa: F401 (fixture)
from tsp_auth.business_centers import qr
from tsp_auth.config import Settings

pytestmark = pytest.mark.browser

ADMIN, MEMBER, OWNER = "acc_demo_bc_admin", "acc_demo_bc_member", "acc_demo_tiktok_owner"
HERE = "/bc/tiktok-accounts"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serve(tmp_path_factory.mktemp("bc-journey"))


def _scan(server: Server) -> str:
    """What the owner's phone reads from the QR code: the link of the pending request (the
    server seals its token; the demo's development key opens it)."""
    with sqlite3.connect(server.database) as db:
        [(sealed,)] = db.execute(
            "SELECT token_encrypted FROM bc_access_requests WHERE status = 'pending'"
        ).fetchall()
    return f"{server.base}/bc/authorize/{qr.unseal(Settings(), sealed)}"


def _generate_qr(page: Page) -> None:
    page.get_by_label("Ad delivery with existing posts").check()
    page.get_by_role("button", name="Generate QR code").click()
    page.wait_for_url(re.compile(r"/bc/business-centers/bc_demo/access-requests/bcr_"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "QR card: request TikTok account access"
    )
    page.wait_for_function("document.getElementById('qr').naturalWidth > 100")


def test_admin_request_owner_approval_and_the_assigned_member_sees_the_account(
    browser: Browser,  # noqa: F811
    server: Server,
) -> None:
    base = server.base
    admin, owner, member = (profile(browser, base) for _ in range(3))
    try:
        admin.goto(f"{base}{HERE}")
        sign_in(admin, ADMIN)
        admin.wait_for_url(f"{base}{HERE}")
        expect(admin.locator("#no-accounts")).to_be_visible()
        shoot(admin, "bc-accounts-empty")
        _generate_qr(admin)
        shoot(admin, "bc-card")

        owner.goto(_scan(server))
        sign_in(owner, OWNER)
        owner.get_by_role("button", name="Approve").click()
        expect(owner.get_by_role("heading", level=1)).to_have_text("Decision recorded")

        admin.goto(f"{base}{HERE}")
        expect(admin.locator("#tiktok-accounts")).to_contain_text("@demo.creator")
        admin.get_by_label("Member").select_option(label="Demo BC member")
        admin.get_by_label("Permission level").select_option("operator")
        admin.get_by_role("button", name="Assign").click()
        expect(admin.locator("#tiktok-accounts")).to_contain_text("Demo BC member (operator)")

        admin.goto(f"{base}{HERE}")
        _generate_qr(admin)
        admin.goto(f"{base}{HERE}")
        admin.locator("#pending").get_by_role("button", name=re.compile("^Withdraw")).click()
        expect(admin.locator("#pending")).to_contain_text("No pending request.")
        shoot(admin, "bc-accounts-admin")

        member.goto(f"{base}{HERE}")
        sign_in(member, MEMBER)
        member.wait_for_url(f"{base}{HERE}")
        row = member.locator("#tiktok-accounts tr", has_text="@demo.creator")
        expect(row).to_contain_text("operator")
        expect(member.get_by_role("button", name="Generate QR code")).to_have_count(0)
        shoot(member, "bc-accounts-member")
    finally:
        for one in (admin, owner, member):
            one.context.close()
