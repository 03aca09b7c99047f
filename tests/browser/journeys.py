"""What the role journeys in the browser share: a server with the local console, sign-in,
screenshots at 1280 and 390 px, and the API calls a test makes outside the browser."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_consent_browser import _tsp_auth
from tsp_auth.app import create_app
from tsp_auth.config import Settings

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
# axe-core from npm, pinned in package.json; scripts/ensure-node (make test) installs it.
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Labels, contrast, landmarks and the rest of WCAG 2.1 A/AA, and axe's best practices.
AXE_RUN = """async () => {
  const found = await axe.run(document, {runOnly: {type: "tag", values:
    ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}});
  return found.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""
WIDTHS = (1280, 390)


@dataclass(frozen=True)
class Server:
    base: str
    quickstart: dict[str, Any]
    database: Path  # the SQLite file: a test reads what a phone's camera would (a QR code)


def serve(folder: Path) -> Iterator[Server]:
    """A fresh `tsp-auth migrate` + `tsp-auth demo` database, served with the local console."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    database_url = f"sqlite+aiosqlite:///{folder / 'tsp_auth.db'}"
    env = {**os.environ, "TSP_AUTH_DATABASE_URL": database_url, "TSP_AUTH_ISSUER": base}
    _tsp_auth("migrate", env=env)
    _tsp_auth("demo", "--base-url", base, "--output", str(folder / "demo.json"), env=env)
    settings = Settings(database_url=database_url, issuer=base, local_console=True)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield Server(base, json.loads((folder / "demo.json").read_text()), folder / "tsp_auth.db")
    server.should_exit = True
    thread.join(timeout=10)
    listener.close()


def profile(browser: Browser, base: str) -> Page:
    """One browser profile (its own cookies): one person at one computer."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    # Nothing outside the server under test: a request elsewhere fails the page.
    context.route(
        lambda url: not url.startswith(base), lambda route: route.abort("blockedbyclient")
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    # Chromium enforces our pages' CSP: a violation (a script or form target it blocks) is
    # reported on the console, and shoot() fails on it.
    page.on("console", lambda message: _console(page).append(message.text))
    return page


_CONSOLE: dict[int, list[str]] = {}


def _console(page: Page) -> list[str]:
    return _CONSOLE.setdefault(id(page), [])


def sign_in(page: Page, account_id: str) -> None:
    """On the development sign-in page the app sent us to, as ``account_id``."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Development sign-in")
    page.get_by_label("Account id").fill(account_id)
    page.get_by_role("button", name="Sign in", exact=True).click()


def accessible(page: Page) -> None:
    """axe-core finds nothing serious or critical on the page as it is now."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} missing: run scripts/ensure-node (make test does)")
    # Evaluated through the DevTools protocol: the page's CSP, which allows no script of
    # ours, does not apply to it.
    page.evaluate(AXE.read_text())
    found: list[dict[str, Any]] = page.evaluate(AXE_RUN)
    serious = [v for v in found if v["impact"] in ("serious", "critical")]
    assert not serious, f"{page.url}: {serious}"


def shoot(page: Page, name: str) -> None:
    """Screenshots at 1280 and 390 px (not committed: var/ is ignored); at 390 px nothing
    may scroll sideways; at both, axe-core finds nothing serious."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    violations = [text for text in _console(page) if "Content Security Policy" in text]
    assert not violations, violations
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        sideways = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not sideways, f"{name} scrolls sideways at {width} px"
        accessible(page)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def api(base: str, account_id: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    token = httpx.post(f"{base}/dev/identity-tokens", json={"account_id": account_id})
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()['id_token']}"}
    return httpx.request(method, f"{base}{path}", headers=headers, **kwargs)
