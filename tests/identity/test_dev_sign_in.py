"""The development sign-in page (`/dev/login`): the consent page's protections (security
headers, Origin check, CSRF token bound to the browser's nonce cookie) and the demo accounts
read from the database (issue 13 item 6, issue 15 item 14; docs/security.md)."""

from __future__ import annotations

import html
import re

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response

from tests.conftest import asgi_client
from tests.consent_page.helpers import assert_page_headers, csrf_of, sign_in
from tests.factories import Factory
from tsp_auth.config import Settings
from tsp_auth.demo.load import load_demo
from tsp_auth.identity.callers import IDENTITY_COOKIE
from tsp_auth.models import Account
from tsp_auth.web.dev_pages import ACCOUNT_ROLES, NONCE_COOKIE

_ROW = re.compile(
    r'<tr data-account="([^"]+)">.*?</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>', re.S
)


def _demo_rows(page: str) -> dict[str, tuple[str, str]]:
    return {m[1]: (html.unescape(m[2]), html.unescape(m[3])) for m in _ROW.finditer(page)}


async def _post(client: AsyncClient, account: Account, **fields: str | None) -> Response:
    body = {"account_id": account.id, "return_to": "/consent/azr_x"}
    body.update({k: v for k, v in fields.items() if v is not None and k != "origin"})
    headers = {"origin": fields["origin"]} if fields.get("origin") else {}
    return await client.post("/dev/login", data=body, headers=headers)


def _assert_not_signed_in(response: Response, client: AsyncClient, reason: str) -> None:
    assert response.status_code == 403, response.text
    assert f'<code id="error">{reason}</code>' in response.text
    assert_page_headers(response)
    assert IDENTITY_COOKIE not in response.headers.get("set-cookie", "")
    assert client.cookies.get(IDENTITY_COOKIE) is None


async def test_the_page_carries_the_consent_page_headers_and_a_token(client: AsyncClient) -> None:
    page = await client.get("/dev/login", params={"return_to": "/consent/azr_1"})

    assert page.status_code == 200
    assert_page_headers(page)  # CSP frame-ancestors 'none', X-Frame-Options DENY, no-referrer
    assert csrf_of(page.text)
    nonce = page.headers["set-cookie"].lower()
    assert nonce.startswith(f"{NONCE_COOKIE}=") and "httponly" in nonce
    assert "samesite=strict" in nonce and "path=/dev/login" in nonce
    assert "<script" not in page.text


async def test_the_nonce_is_kept_so_every_open_form_stays_valid(
    app: FastAPI, client: AsyncClient
) -> None:
    first = csrf_of((await client.get("/dev/login")).text)
    second = csrf_of((await client.get("/dev/login")).text)
    assert first == second
    async with asgi_client(app) as other_browser:
        assert csrf_of((await other_browser.get("/dev/login")).text) != first


@pytest.mark.parametrize("token", [None, "", "forged-token"])
async def test_a_missing_or_wrong_token_signs_nobody_in(
    client: AsyncClient, factory: Factory, token: str | None
) -> None:
    _, main = await factory.seller("UK")
    await client.get("/dev/login")

    response = await _post(client, main, csrf_token=token)

    _assert_not_signed_in(response, client, "csrf_token_invalid")
    assert (await client.get("/consent/azr_x")).headers["location"].startswith("/dev/login?")


async def test_a_token_without_its_nonce_cookie_signs_nobody_in(
    client: AsyncClient, factory: Factory
) -> None:
    """Login CSRF: the attacker can fetch a token for its own browser, not for the victim's."""
    _, main = await factory.seller("UK")
    token = csrf_of((await client.get("/dev/login")).text)
    client.cookies.delete(NONCE_COOKIE, path="/dev/login")

    response = await _post(client, main, csrf_token=token)

    _assert_not_signed_in(response, client, "csrf_token_invalid")


@pytest.mark.parametrize("origin", ["https://evil.example", "http://testserver"])
async def test_a_post_from_another_origin_signs_nobody_in(
    client: AsyncClient, factory: Factory, origin: str
) -> None:
    _, main = await factory.seller("UK")
    token = csrf_of((await client.get("/dev/login")).text)

    response = await _post(client, main, csrf_token=token, origin=origin)

    _assert_not_signed_in(response, client, "origin_mismatch")


async def test_the_right_token_signs_in_and_returns_to_a_local_path(
    client: AsyncClient, factory: Factory, settings: Settings
) -> None:
    _, main = await factory.seller("UK")
    token = csrf_of((await client.get("/dev/login")).text)

    response = await _post(client, main, csrf_token=token, origin=settings.issuer_origin)

    assert response.status_code == 303
    assert response.headers["location"] == "/consent/azr_x"
    assert response.headers["x-frame-options"] == "DENY"
    assert client.cookies.get(IDENTITY_COOKIE)


async def test_without_demo_data_the_page_says_how_to_load_it(
    client: AsyncClient, factory: Factory
) -> None:
    await factory.seller("UK")  # an account, but not a demo one

    page = await client.get("/dev/login")

    assert 'id="no-demo-accounts"' in page.text and "tsp-auth demo" in page.text
    assert _demo_rows(page.text) == {}


async def test_the_page_lists_every_demo_account_and_what_it_is(
    committed_app: FastAPI, committed_client: AsyncClient, settings: Settings
) -> None:
    quickstart = await load_demo(settings, base_url="http://127.0.0.1:8000")
    other = await Factory(committed_app, committed_client).operator()

    page = await committed_client.get("/dev/login")

    rows = _demo_rows(page.text)
    # Read from the database: every account the quickstart names, and the others it made.
    assert set(quickstart["accounts"].values()) <= set(rows)
    assert "acc_demo_member_us" in rows
    assert all(account_id.startswith("acc_demo_") for account_id in rows)
    assert other.id not in rows
    assert rows["acc_demo_main_uk"] == (
        "Main account, UK",
        ACCOUNT_ROLES[("seller", "main")],
    )
    assert rows["acc_demo_sub_uk"][1] == ACCOUNT_ROLES[("seller", "sub")]
    assert rows["acc_demo_tiktok_owner"][1] == ACCOUNT_ROLES[("tiktok", "owner")]
    # Every demo account is one of the kinds the page can describe.
    assert {what for _, what in rows.values()} <= set(ACCOUNT_ROLES.values())


async def test_a_listed_account_signs_in_with_its_button(
    committed_app: FastAPI, committed_client: AsyncClient, settings: Settings
) -> None:
    await load_demo(settings, base_url="http://127.0.0.1:8000")
    page = await committed_client.get("/dev/login", params={"return_to": "/consent/azr_y"})
    button = re.search(r'name="account_id" value="acc_demo_main_uk"', page.text)
    assert button is not None

    response = await committed_client.post(
        "/dev/login",
        data={
            "account_id": "acc_demo_main_uk",
            "return_to": "/consent/azr_y",
            "csrf_token": csrf_of(page.text),
        },
    )

    assert response.status_code == 303 and response.headers["location"] == "/consent/azr_y"
    me = await committed_client.get("/consent/azr_y")
    assert me.status_code == 404  # signed in: the unknown request is looked up, not sign-in


async def test_sign_in_helper_still_works(client: AsyncClient, factory: Factory) -> None:
    _, main = await factory.seller("UK")
    await sign_in(client, main)
    assert client.cookies.get(IDENTITY_COOKIE)
