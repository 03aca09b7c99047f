"""Around the role pages: the home page per role, who is signed in on every page and the
sign-out, error pages with a way onward, and a page (not JSON) for a browser's 404."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.consent_page.helpers import sign_in
from tests.factories import Factory
from tests.tsp_access.helpers import make_world
from tsp_auth.identity.callers import IDENTITY_COOKIE

BROWSER = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
SAME_ORIGIN = {"origin": "http://127.0.0.1:8000"}


@pytest.mark.parametrize(
    ("who", "links"),
    [
        ("main", ["/my-service", "/my-service/audit"]),
        ("admin", ["/tsp-access", "/tsp-access/request", "/tsp-access/assignments"]),
        ("member", ["/tsp-access"]),
    ],
)
async def test_the_home_page_links_what_each_role_can_do(
    client: AsyncClient, factory: Factory, who: str, links: list[str]
) -> None:
    world = await make_world(factory)
    await sign_in(client, getattr(world, who))
    home = await client.get("/home")
    assert home.status_code == 200
    assert all(f'<a href="{link}">' in home.text for link in links)
    assert 'id="signed-in-as"' in home.text and 'href="/sign-out"' in home.text


async def test_sign_out_asks_then_ends_the_cookie_sign_in(
    client: AsyncClient, factory: Factory
) -> None:
    world = await make_world(factory)
    await sign_in(client, world.main)
    confirm = await client.get("/sign-out")
    assert confirm.status_code == 200 and client.cookies.get(IDENTITY_COOKIE)
    cross = await client.post("/sign-out", headers={"origin": "https://evil.example"})
    assert cross.status_code == 403 and client.cookies.get(IDENTITY_COOKIE)
    done = await client.post("/sign-out", headers=SAME_ORIGIN)
    assert done.status_code == 303
    assert not client.cookies.get(IDENTITY_COOKIE)
    assert (await client.get("/my-service")).status_code == 303  # to the sign-in again


async def test_a_browsers_404_is_a_page_with_a_way_onward(client: AsyncClient) -> None:
    page = await client.get("/no/such/page", headers=BROWSER)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert 'id="go-home" href="/home"' in page.text and 'id="sign-in-again"' in page.text
    api = await client.get("/v1/no-such-thing", headers=BROWSER)
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"
    plain = await client.get("/no/such/page")
    assert plain.headers["content-type"] == "application/problem+json"
