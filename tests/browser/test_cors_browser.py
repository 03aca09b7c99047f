"""CORS as a real browser enforces it: headless Chromium, pages on two other origins.

The app runs under uvicorn (``base_url``, with the demo data); two small page servers on other
ports stand for a single-page app whose origin a public client lists, and for a page whose
origin nobody lists. The token request adds ``X-Request-Id``, so Chromium sends a preflight
first and applies our answer to it: what the page can read is decided by the browser, not by
this test reading headers.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser

# The consent test's fixtures: uvicorn with the demo data, and headless Chromium.
from tests.browser.test_consent_browser import base_url, browser

__all__ = ["base_url", "browser"]

pytestmark = pytest.mark.browser

# The demo's ROW partner admin (`tsp-auth demo`: accounts.partner_admin_row in demo.json).
PARTNER_ADMIN = "acc_demo_admin_row"
METADATA = "/.well-known/oauth-authorization-server"

# Runs in the page: the answer if the page may read it, else what the browser threw.
FETCH = """async ([url, init]) => {
  try {
    const response = await fetch(url, init);
    return {status: response.status, body: await response.json()};
  } catch (error) {
    return {blocked: String(error)};
  }
}"""


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<!doctype html><title>spa</title><p>a single-page app"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture(scope="module")
def page_origins() -> Iterator[tuple[str, str]]:
    """Two page servers: (the origin a public client will list, an origin nobody lists)."""
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _Page) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield tuple(f"http://127.0.0.1:{s.server_address[1]}" for s in servers)  # type: ignore[misc]
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def spa_client_id(base_url: str, page_origins: tuple[str, str]) -> str:
    """A public client registered through the API, listing the first page's origin."""
    token = httpx.post(f"{base_url}/dev/identity-tokens", json={"account_id": PARTNER_ADMIN})
    assert token.status_code == 200, token.text
    registered = httpx.post(
        f"{base_url}/v1/clients",
        json={
            "name": "Browser SPA",
            "client_type": "public",
            "redirect_uris": [f"{page_origins[0]}/callback"],
            "allowed_origins": [page_origins[0]],
            "scopes": ["partner.affiliate.read"],
        },
        headers={"Authorization": f"Bearer {token.json()['id_token']}"},
    )
    assert registered.status_code == 201, registered.text
    return str(registered.json()["client_id"])


def _from_page(browser: Browser, origin: str, url: str, init: dict[str, Any]) -> Any:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{origin}/")
        return page.evaluate(FETCH, [url, init])
    finally:
        context.close()


def _token_request(client_id: str, origin: str) -> dict[str, Any]:
    form = httpx.QueryParams(
        grant_type="authorization_code",
        code="not-a-code",
        redirect_uri=f"{origin}/callback",
        code_verifier="v" * 43,
        client_id=client_id,
    )
    return {
        "method": "POST",
        # X-Request-Id is not CORS-safelisted: the browser must preflight.
        "headers": {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Request-Id": "cors-browser-test",
        },
        "body": str(form),
    }


def test_the_listed_origin_reads_the_metadata_and_token_answers(
    browser: Browser, base_url: str, page_origins: tuple[str, str], spa_client_id: str
) -> None:
    allowed = page_origins[0]
    metadata = _from_page(browser, allowed, base_url + METADATA, {})
    assert metadata["status"] == 200 and metadata["body"]["issuer"] == base_url
    token = _from_page(
        browser, allowed, f"{base_url}/oauth/token", _token_request(spa_client_id, allowed)
    )
    # Preflight passed and the error itself is readable, so the app can react to it.
    assert token["status"] == 400 and token["body"]["error"] == "invalid_grant", token


def test_an_unlisted_origin_reads_nothing(
    browser: Browser, base_url: str, page_origins: tuple[str, str], spa_client_id: str
) -> None:
    other = page_origins[1]
    metadata = _from_page(browser, other, base_url + METADATA, {})
    assert "blocked" in metadata, metadata
    token = _from_page(
        browser, other, f"{base_url}/oauth/token", _token_request(spa_client_id, other)
    )
    assert "blocked" in token, token
