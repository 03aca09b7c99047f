"""Seed 000's headline, clicked through in headless Chromium on a fresh demo database:

the seller consents → the partner member sees the seller on TSP Access → Log in → the local
seller console, acting as the seller → an allowed action → the seller cancels in My Service →
the member's next action in the console shows that access has ended.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.journeys import Server, api, profile, serve, shoot, sign_in
from tests.browser.test_consent_browser import browser  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

SELLER, MEMBER, ADMIN = "acc_demo_main_uk", "acc_demo_member_row", "acc_demo_admin_row"
SHOP = "Demo shop UK"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serve(tmp_path_factory.mktemp("journey"))


def _consent(page: Page, base: str) -> None:
    page.goto(f"{base}/open/authorize?service_id=svc_demo_row_shop&state=journey-1")
    sign_in(page, SELLER)
    shop = page.get_by_role("group", name=re.compile(r"^Shop management"))
    shop.get_by_label("Seller center access").check()
    permissions = shop.get_by_role("group", name="Seller Center permissions")
    permissions.get_by_label("Products", exact=True).check()
    permissions.get_by_label("Affiliate Center", exact=True).check()
    page.get_by_role("group", name="Access duration").get_by_label("90 days").check()
    page.get_by_label("Contact email").fill("owner@demo-shop.example")
    page.get_by_label(re.compile(r"I accept .* terms, version 2025-12")).check()
    shoot(page, "consent")
    page.get_by_role("button", name="Accept").click()
    page.wait_for_url(re.compile(r"/demo/partner-callback\?"))
    # The confirmation names what was granted and where to manage it.
    expect(page.locator("#granted")).to_contain_text("Shop management: Seller center access")
    shoot(page, "consent-confirmation")


def _assign_on_the_page(page: Page, base: str) -> None:
    """The partner admin assigns the seller to its member (DESIGN §2)."""
    page.goto(f"{base}/tsp-access/assignments")
    sign_in(page, ADMIN)
    page.wait_for_url(f"{base}/tsp-access/assignments")
    page.get_by_label("Member").select_option(label="Demo Partner ROW member")
    page.get_by_label("Seller").select_option(label=f"{SHOP} (UK)")
    page.get_by_role("button", name="Assign").click()
    expect(page.locator("#assignments")).to_contain_text("Demo Partner ROW member")
    shoot(page, "partner-assignments")


def _cancel_in_my_service(page: Page, base: str) -> None:
    page.goto(f"{base}/my-service")
    expect(page.locator("#signed-in-as")).to_contain_text("seller main account")
    row = page.locator("tr", has_text="Shop management")
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text("Seller center access")
    shoot(page, "my-service")
    row.get_by_role("link", name=re.compile("Cancel authorization")).click()
    expect(page.locator("#what-ends")).to_contain_text("Shop management")
    expect(page.locator("#what-ends")).to_contain_text("lose TSP access")
    shoot(page, "my-service-cancel")
    page.get_by_role("button", name="Cancel authorization").click()
    page.wait_for_url(re.compile(r"/my-service\?cancelled="))
    expect(page.locator("tr", has_text="Shop management")).to_contain_text("Cancelled")


def test_member_logs_into_the_console_and_loses_it_when_the_seller_cancels(
    browser: Browser,  # noqa: F811
    server: Server,
) -> None:
    base = server.base
    seller, member, admin = (profile(browser, base) for _ in range(3))
    try:
        _consent(seller, base)
        _assign_on_the_page(admin, base)

        member.goto(f"{base}/tsp-access")
        sign_in(member, MEMBER)
        member.wait_for_url(f"{base}/tsp-access")
        row = member.locator("tr", has_text=SHOP)
        expect(row).to_contain_text("UK")
        expect(row).to_contain_text("Active")
        shoot(member, "tsp-access-member")
        row.get_by_role("button", name=f"Log in to {SHOP}").click()

        member.wait_for_url(f"{base}/console")
        expect(member.locator("#acting-as")).to_have_text(
            f"Acting as {SHOP}, by Demo Partner ROW member of Demo Partner ROW (TSP Access)"
        )
        shoot(member, "console-home")
        member.get_by_role("link", name="Products").click()
        expect(member.locator("#area-content")).to_contain_text("allowed")
        member.get_by_role("link", name="Creator IM").click()
        member.get_by_label("Message").fill("Shall we plan a LIVE next week?")
        member.get_by_role("button", name=f"Send as {SHOP}").click()
        expect(member.locator("#sent")).to_contain_text("Shall we plan a LIVE")
        shoot(member, "console-creator-im")

        _cancel_in_my_service(seller, base)

        member.get_by_role("link", name="Orders").click()
        expect(member.locator("#ended")).to_have_text(f"Your TSP Access to {SHOP} has ended")
        expect(member.locator("#reason")).to_have_text("grant_not_active")
        shoot(member, "console-ended")
        trail = api(
            base, SELLER, "GET", "/v1/audit-events", params={"action": "creator_im.authorized"}
        )
        sent = [
            e for e in trail.json()["items"] if e["detail"]["console_action"] == "creator_im.send"
        ]
        assert [(e["actor_id"], e["on_behalf_of"]) for e in sent] == [(MEMBER, "slr_demo_uk")]
    finally:
        for one in (seller, member, admin):
            one.context.close()
