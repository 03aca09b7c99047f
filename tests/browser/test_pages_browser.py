"""Every role's pages in headless Chromium, with nothing outside the server reachable: each
passes axe-core (no serious finding) and fits 390 px; `/docs` renders Swagger UI from the
package's files with the network otherwise off; a browser's 404 is a page with a way onward."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.journeys import Server, accessible, profile, serve, shoot, sign_in
from tests.browser.test_consent_browser import browser  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

PAGES = {
    "acc_demo_admin_row": (
        "/home",
        "/tsp-access",
        "/tsp-access/request",
        "/tsp-access/assignments",
        "/my-account/authorizations",
    ),
    "acc_demo_main_uk": ("/my-service", "/my-service/audit"),
    "acc_demo_sub_uk": ("/my-service",),
    "acc_demo_bc_member": ("/bc/tiktok-accounts",),
    "acc_demo_tiktok_owner": ("/home", "/bc-access"),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serve(tmp_path_factory.mktemp("pages"))


@pytest.mark.parametrize("account", sorted(PAGES))
def test_each_roles_pages_are_accessible_and_fit_a_phone(
    browser: Browser,  # noqa: F811
    server: Server,
    account: str,
) -> None:
    page = profile(browser, server.base)
    try:
        first, *rest = PAGES[account]
        page.goto(f"{server.base}{first}")
        sign_in(page, account)
        page.wait_for_url(f"{server.base}{first}")
        for path in (first, *rest):
            page.goto(f"{server.base}{path}")
            expect(page.locator("#signed-in-as")).to_be_visible()
            shoot(page, f"{account}{path.replace('/', '-')}")
    finally:
        page.context.close()


def test_the_api_docs_render_offline(
    browser: Browser,  # noqa: F811
    server: Server,
) -> None:
    page = profile(browser, server.base)  # every request elsewhere is aborted
    outside: list[str] = []
    page.on("requestfailed", lambda request: outside.append(request.url))
    try:
        page.goto(f"{server.base}/docs")
        # A large document: Swagger UI takes a while to lay it out on a loaded machine.
        title = page.locator(".swagger-ui .info .title")
        expect(title).to_contain_text("tsp-auth", timeout=60_000)
        expect(page.locator(".opblock").first).to_be_visible()
        assert page.locator(".opblock").count() > 20
        assert outside == [], outside
    finally:
        page.context.close()


def test_a_browsers_404_and_the_sign_in_are_pages_with_a_way_onward(
    browser: Browser,  # noqa: F811
    server: Server,
) -> None:
    page = profile(browser, server.base)
    try:
        answer = page.goto(f"{server.base}/no/such/page")
        assert answer is not None and answer.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
        expect(page.get_by_role("link", name="Go to your home page")).to_be_visible()
        accessible(page)
        page.goto(f"{server.base}/dev/login")
        accessible(page)
    finally:
        page.context.close()
