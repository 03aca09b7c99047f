"""The consent flow in a real headless Chromium, against the app served by uvicorn.

Link → development sign-in (by keyboard) → consent page → Accept → the partner's return URL,
then the JSON API confirms the grants. No JavaScript runs on our pages; Chromium enforces
their CSP, so a violation (an inline script, a blocked redirect) fails the test.
"""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tsp_auth.app import create_app
from tsp_auth.config import Settings

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("TSP_AUTH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# What `tsp-auth demo` wrote for each server: its links and demo secrets.
QUICKSTART: dict[str, dict[str, Any]] = {}
SCREENSHOT = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "consent.png"


def _tsp_auth(*args: str, env: dict[str, str]) -> None:
    command = [str(Path(sys.executable).with_name("tsp-auth")), *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"tsp-auth {args[0]} failed:\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh SQLite database, migrated and loaded with the demo data, served on a free port."""
    folder = tmp_path_factory.mktemp("browser")
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))  # the socket is handed to uvicorn: no port race
    base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    database_url = f"sqlite+aiosqlite:///{folder / 'tsp_auth.db'}"
    env = {**os.environ, "TSP_AUTH_DATABASE_URL": database_url, "TSP_AUTH_ISSUER": base}
    _tsp_auth("migrate", env=env)
    _tsp_auth("demo", "--base-url", base, "--output", str(folder / "demo.json"), env=env)
    QUICKSTART[base] = json.loads((folder / "demo.json").read_text())
    app = create_app(Settings(database_url=database_url, issuer=base))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield base
    server.should_exit = True
    thread.join(timeout=10)
    listener.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run scripts/ensure-chromium (`make test` does) "
            "or set TSP_AUTH_CHROMIUM. The browser tests never download a browser.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 900, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    yield page
    context.close()
    assert not [text for text in console if "Content Security Policy" in text], console


def _focused_id(page: Page) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def _sign_in_by_keyboard(page: Page, account_id: str) -> None:
    """Tab to the account field, type, Tab to the button, Enter: no mouse at all."""
    expect(page).to_have_url(re.compile(r"/dev/login\?return_to=/consent/azr_"))
    for _ in range(5):
        if _focused_id(page) == "account_id":
            break
        page.keyboard.press("Tab")
    assert _focused_id(page) == "account_id"
    page.keyboard.type(account_id)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Sign in"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"^http://[^/]+/consent/azr_[A-Za-z0-9_-]+$"))


def _grants(base_url: str, account_id: str) -> list[dict[str, object]]:
    token = httpx.post(f"{base_url}/dev/identity-tokens", json={"account_id": account_id})
    bearer = {"Authorization": f"Bearer {token.json()['id_token']}"}
    listed = httpx.get(f"{base_url}/v1/grants", headers=bearer)
    assert listed.status_code == 200, listed.text
    items: list[dict[str, object]] = listed.json()["items"]
    return items


def test_seller_authorizes_two_services_and_returns_to_the_partner(
    page: Page, base_url: str
) -> None:
    page.goto(f"{base_url}/open/authorize?service_id=svc_demo_row_shop&state=xyz-123")
    _sign_in_by_keyboard(page, "acc_demo_main_uk")

    expect(page.get_by_role("heading", level=1)).to_have_text("Authorize Demo Partner ROW")
    shop = page.get_by_role("group", name=re.compile(r"^Shop management"))
    affiliate = page.get_by_role("group", name=re.compile(r"^Affiliate management"))
    expect(shop.get_by_label("Authorize Shop management")).to_be_checked()
    # seed 002 lists every service: the unticked ones are folded (<details>, no script).
    expect(affiliate.get_by_label("Data compass", exact=True)).to_be_hidden()
    affiliate.get_by_label("Authorize Affiliate management").check()
    affiliate.locator("summary").click()
    shop.get_by_label("Seller center access").check()
    permissions = shop.get_by_role("group", name="Seller Center permissions")
    permissions.get_by_label("Products", exact=True).check()
    permissions.get_by_label("Affiliate Center", exact=True).check()
    affiliate.get_by_label("Data compass", exact=True).check()
    affiliate.get_by_role("group", name="Data compass areas").get_by_label("LIVE").check()
    page.get_by_role("group", name="Access duration").get_by_label("180 days").check()
    page.get_by_label("Contact email").fill("owner@demo-shop.example")
    page.get_by_label(re.compile(r"I accept .* terms, version 2025-12")).check()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    page.get_by_role("button", name="Accept").click()

    page.wait_for_url(re.compile(r"/demo/partner-callback\?"))
    expect(page.locator("#state")).to_have_text("xyz-123")
    grants = {g["service_id"]: g for g in _grants(base_url, "acc_demo_main_uk")}
    assert set(grants) == {"svc_demo_row_shop", "svc_demo_row_affiliate"}
    shop_grant, affiliate_grant = grants["svc_demo_row_shop"], grants["svc_demo_row_affiliate"]
    assert shop_grant["items"] == ["seller_center_access"]
    assert shop_grant["roles"] == ["affiliate_center", "products"]
    assert (affiliate_grant["items"], affiliate_grant["areas"]) == (["data_compass"], ["live"])
    assert {g["duration_days"] for g in grants.values()} == {180}
    assert {g["status"] for g in grants.values()} == {"active"}


def test_reject_by_keyboard_lands_on_another_origin(page: Page, base_url: str) -> None:
    """The page is served from localhost, the partner's return URL is 127.0.0.1: Chromium
    applies form-action to the 303 after the submission, so this proves the CSP allows it."""
    local = base_url.replace("127.0.0.1", "localhost")
    page.goto(f"{local}/open/authorize?service_id=svc_demo_row_shop&state=no-thanks")
    _sign_in_by_keyboard(page, "acc_demo_main_de")
    reject = page.get_by_role("button", name="Reject")
    for _ in range(80):
        if page.evaluate("document.activeElement.textContent") == "Reject":
            break
        page.keyboard.press("Tab")
    expect(reject).to_be_focused()

    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/demo/partner-callback\?"))
    expect(page.locator("#error")).to_have_text("access_denied")
    expect(page.locator("#state")).to_have_text("no-thanks")
    assert _grants(base_url, "acc_demo_main_de") == []


def _scrolls_sideways(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > window.innerWidth"))


def test_the_consent_page_fits_a_phone(browser: Browser, base_url: str) -> None:
    """390 x 844 (a phone held upright): no sideways scrolling, and Accept is reachable and
    works; the terms link opens the terms page with their version."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{base_url}/open/authorize?service_id=svc_demo_row_shop&state=phone-1")
        _sign_in_by_keyboard(page, "acc_demo_main_id")
        expect(page.locator("#warning")).to_contain_text("on behalf of your account")
        assert not _scrolls_sideways(page)
        shop = page.get_by_role("group", name=re.compile(r"^Shop management"))
        shop.get_by_label("Data compass", exact=True).check()
        shop.get_by_role("group", name="Data compass areas").get_by_label("LIVE").check()
        page.get_by_role("group", name="Access duration").get_by_label("90 days").check()
        page.get_by_label("Contact email").fill("owner@demo-shop.example")
        page.get_by_label(re.compile(r"I accept .* terms, version 2025-12")).check()
        assert not _scrolls_sideways(page)
        page.screenshot(path=str(SCREENSHOT.with_name("consent-phone.png")), full_page=True)
        terms = page.locator("#terms-link").get_attribute("href")
        accept = page.get_by_role("button", name="Accept")
        accept.scroll_into_view_if_needed()
        expect(accept).to_be_in_viewport()
        accept.click()
        page.wait_for_url(re.compile(r"/demo/partner-callback\?"))
        expect(page.locator("#state")).to_have_text("phone-1")
        page.goto(f"{base_url}{terms}")
        expect(page.locator("#terms-version")).to_have_text("2025-12")
        assert not _scrolls_sideways(page)
    finally:
        context.close()


def _redeem(base_url: str, code: str) -> httpx.Response:
    """The app's side, as a client library would do it with the quickstart's demo secret."""
    apps = {a["client_id"]: a for a in QUICKSTART[base_url]["partner_apps"]}
    secret = apps["cli_demo_tap_live"]["client_secret"]
    basic = base64.b64encode(f"cli_demo_tap_live:{secret}".encode()).decode()
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": f"{base_url}/demo/partner-callback",
    }
    return httpx.post(
        f"{base_url}/oauth/token", data=form, headers={"Authorization": f"Basic {basic}"}
    )


def test_the_tap_admin_authorizes_the_demo_app_on_the_page(page: Page, base_url: str) -> None:
    """seed 004 on the built-in pages: the demo link, the TAP partner's admin, the app and
    its scopes, Authorize, and back to the app with a code that redeems."""
    link = QUICKSTART[base_url]["app_authorization_link"]
    page.goto(link.replace("state=demo-app-state", "state=app-xyz"))
    _sign_in_by_keyboard(page, "acc_demo_admin_tap")

    expect(page.get_by_role("heading", level=1)).to_have_text("Authorize Demo TAP app (live)")
    permissions = page.get_by_role("group", name="Permissions")
    for scope in ("partner.affiliate.read", "partner.affiliate.write", "partner.creator.read"):
        expect(permissions.locator(f"[id='scope-{scope}']")).to_be_checked()
    permissions.get_by_label("Manage affiliate (TAP) collaborations on your behalf").uncheck()
    page.get_by_role("group", name="Partner category").get_by_label(
        "Seller and Scalable Creator Match-up"
    ).check()

    page.get_by_role("button", name="Authorize").click()

    page.wait_for_url(re.compile(r"/demo/partner-callback\?"))
    expect(page.locator("#state")).to_have_text("app-xyz")
    tokens = _redeem(base_url, page.locator("#code").inner_text())
    assert tokens.status_code == 200, tokens.text
    assert tokens.json()["scope"] == "partner.affiliate.read partner.creator.read"
