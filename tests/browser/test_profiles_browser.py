"""One session kind per browser profile (seed 000 FAQ Q1), in a real headless Chromium.

A browser profile is what Chromium keeps apart: each browser context here is one profile, and
the console's page keeps its profile id in that profile's own localStorage, as a seller
console would. The page redeems TSP Access login tokens with `fetch`, so what the service
refuses or allows is what a console running in that profile would get.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page

from tests.browser.test_consent_browser import base_url, browser  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

TERMS = "2025-12"
# Demo partners and sellers (tsp-auth demo): the ROW partner for the UK shop, the US partner
# for the US local-to-local shop.
ROW = ("acc_demo_admin_row", "acc_demo_main_uk", "svc_demo_row_shop", "slr_demo_uk")
US = ("acc_demo_admin_us", "acc_demo_main_us_l2l", "svc_demo_us_shop", "slr_demo_us_l2l")

REDEEM = """async ([token, withProfile]) => {
  let profile = localStorage.getItem("browserProfile");
  if (!profile) {
    profile = "bp-" + crypto.randomUUID();
    localStorage.setItem("browserProfile", profile);
  }
  const body = withProfile ? {login_token: token, browser_profile: profile} : {login_token: token};
  const answer = await fetch("/v1/tsp-access/sessions", {
    method: "POST", headers: {"content-type": "application/json"}, body: JSON.stringify(body),
  });
  return {status: answer.status, body: await answer.json(), profile};
}"""

LOGOUT = """async (sessionToken) => {
  const answer = await fetch("/v1/tsp-access/sessions/current", {
    method: "DELETE", headers: {authorization: "Bearer " + sessionToken},
  });
  return answer.status;
}"""


def _headers(base: str, account_id: str) -> dict[str, str]:
    token = httpx.post(f"{base}/dev/identity-tokens", json={"account_id": account_id})
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['id_token']}"}


def _consent(base: str, party: tuple[str, str, str, str], extra: dict[str, Any]) -> None:
    """The seller grants the partner seller center access through the JSON consent API."""
    admin, main, service, _ = party
    link = httpx.post(
        f"{base}/v1/authorization-links",
        json={"service_id": service},
        headers=_headers(base, admin),
    )
    assert link.status_code == 200, link.text
    opened = httpx.get(link.json()["url"].replace(link.json()["url"].split("/open")[0], base))
    request_id = opened.headers["location"].removeprefix("/consent/")
    pick = {
        "service_id": service,
        "items": ["seller_center_access"],
        "roles": ["products"],
        "areas": [],
        "authorized_object": None,
        **extra,
    }
    if pick["authorized_object"]:
        pick["items"] = [*pick["items"], "authorized_object"]
    body = {
        "services": [pick],
        "duration_days": 90,
        "contact_email": "owner@shop.example.com",
        "terms_version": TERMS,
        "terms_accepted": True,
    }
    accepted = httpx.post(
        f"{base}/v1/authorization-requests/{request_id}/accept",
        json=body,
        headers=_headers(base, main),
    )
    assert accepted.status_code == 200, accepted.text


def _login_token(base: str, party: tuple[str, str, str, str]) -> str:
    admin, _, _, seller = party
    issued = httpx.post(
        f"{base}/v1/tsp-access/login", json={"seller_id": seller}, headers=_headers(base, admin)
    )
    assert issued.status_code == 200, issued.text
    return str(issued.json()["login_token"])


def _profile(browser: Browser, base: str) -> Page:  # noqa: F811 (the fixture's name)
    page = browser.new_context().new_page()
    page.goto(f"{base}/health")  # same origin as the API, and no page policy of ours
    return page


def _redeem(page: Page, token: str, with_profile: bool = True) -> dict[str, Any]:
    answer: dict[str, Any] = page.evaluate(REDEEM, [token, with_profile])
    return answer


@pytest.fixture(scope="module")
def granted(base_url: str) -> str:  # noqa: F811 (the fixture's name)
    _consent(base_url, ROW, {})
    _consent(base_url, US, {"authorized_object": "shop_and_tiktok"})
    return base_url


def test_one_profile_holds_one_partners_session_until_it_logs_out(
    browser: Browser,  # noqa: F811
    granted: str,
) -> None:
    one, other = _profile(browser, granted), _profile(browser, granted)
    try:
        first = _redeem(one, _login_token(granted, ROW))
        assert first["status"] == 201, first

        refused = _redeem(one, _login_token(granted, US))
        assert refused["status"] == 409, refused
        assert refused["body"]["error"] == "browser_profile_in_use"
        assert refused["profile"] == first["profile"]  # the same profile, kept by the browser

        elsewhere = _redeem(other, _login_token(granted, US))
        assert elsewhere["status"] == 201, elsewhere
        assert elsewhere["profile"] != first["profile"]

        assert one.evaluate(LOGOUT, first["body"]["session_token"]) == 204
        after_logout = _redeem(one, _login_token(granted, US))
        assert after_logout["status"] == 201, after_logout
    finally:
        one.context.close()
        other.context.close()


def test_a_console_session_needs_a_profile(
    browser: Browser,  # noqa: F811
    granted: str,
) -> None:
    page = _profile(browser, granted)
    try:
        refused = _redeem(page, _login_token(granted, ROW), with_profile=False)
        assert refused["status"] == 400, refused
        assert refused["body"]["error"] == "browser_profile_required"
    finally:
        page.context.close()
