"""RFC 9700 §4.11.2 / RFC 6749 §10.15: the authorization server is no open redirector.

On every error path we can reach — the authorization endpoint, the consent page and its JSON
API, the development sign-in's ``return_to``, and a sweep over every route the app mounts —
no ``Location`` header points at a host the request chose. The only absolute redirects are to
a registered redirect URI or a service's registered return URL.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from httpx import AsyncClient
from starlette.routing import Route

from tests.consent.helpers import decision, open_link, pick, set_row
from tests.consent_page.helpers import csrf_of, form, open_form, service_fields, sign_in, submit
from tests.factories import Factory
from tests.oauth.helpers import REDIRECT, link_params, partner_app, pkce_pair
from tests.security.helpers import assert_not_redirected_away
from tsp_auth.clock import now
from tsp_auth.models import AuthorizationRequest

EVIL = "https://evil.example/steal"
RETURN_URL = "https://partner.example.com/callback"
# Parameters an attacker might hope we follow; none of them names a redirect target for us.
LURES = {"redirect_uri": EVIL, "return_url": EVIL, "return_to": EVIL, "next": EVIL, "url": EVIL}


def _bad_links(service_id: str, invalid_service_id: str) -> list[str]:
    lure = "&redirect_uri=https%3A%2F%2Fevil.example&return_to=%2F%2Fevil.example"
    return [
        "/open/authorize?" + lure[1:],  # no service_id
        f"/open/authorize?service_id=svc%2F..%2Fx{lure}",  # malformed
        f"/open/authorize?service_id=svc_unknown{lure}",  # unknown
        f"/open/authorize?service_id={invalid_service_id}{lure}",  # not valid
        f"/open/authorize?service_id={service_id}&state=a%0Ab{lure}",  # bad state
        f"/open/authorize?service_id={service_id}&state={'s' * 513}{lure}",  # state too long
        f"/open/authorize?service_id={service_id}&service_id={service_id}{lure}",
        f"/open/authorize?service_id={service_id}&state=a&state=b{lure}",
        f"/open/authorize?service_id={service_id}&purpose=evil{lure}",
        f"/open/authorize?client_id=cli_unknown&response_type=code{lure}",
    ]


async def test_no_error_of_the_authorization_endpoint_redirects_away_rfc9700_4_11(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    service = await factory.service(partner)
    invalid = await factory.service(partner, valid=False)
    for link in _bad_links(service.id, invalid.id):
        response = await client.get(link)
        assert response.status_code in (400, 404), link
        assert "location" not in response.headers, link
        assert response.headers["content-type"].startswith("text/html"), link


async def test_errors_after_the_client_check_go_only_to_the_registered_uri_rfc6749_4_1_2_1(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    for broken in (
        {"response_type": "token"},
        {"response_type": None},
        {"code_challenge_method": "plain"},
        {"scope": "partner.everything"},
    ):
        params = {**link_params(app, pkce_pair()[1], **broken), **LURES, "redirect_uri": REDIRECT}
        response = await client.get("/open/authorize", params=params)
        assert response.status_code == 303, broken
        assert response.headers["location"].startswith(REDIRECT + "?"), broken


async def test_a_plain_link_ignores_redirect_parameters_rfc9700_4_11(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    service = await factory.service(partner, return_url=RETURN_URL)
    _seller, main = await factory.seller()
    headers = await factory.headers(main)
    for outcome in ("accept", "reject"):
        response = await client.get(
            "/open/authorize", params={"service_id": service.id, "state": "s1", **LURES}
        )
        assert response.status_code == 303
        assert_not_redirected_away(response)
        request_id = response.headers["location"].removeprefix("/consent/")
        path = f"/v1/authorization-requests/{request_id}/{outcome}"
        body = decision(pick(service)) if outcome == "accept" else None
        decided = await client.post(path, json=body, headers=headers)
        assert decided.status_code == 200, decided.text
        assert decided.json()["redirect_to"].startswith(RETURN_URL + "?")
        if outcome == "accept":
            # The grant now exists; the reject round needs a fresh seller.
            _seller, main = await factory.seller()
            headers = await factory.headers(main)


async def test_no_error_of_the_consent_page_redirects_away_rfc9700_4_11(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    service = await factory.service(partner, return_url=RETURN_URL)
    seller, main = await factory.seller()
    sub = await factory.account("seller", "sub", seller_id=seller.id)
    request_id = await open_link(client, service.id)
    answers = []
    # Not signed in: to our own sign-in page.
    answers.append(await client.get(f"/consent/{request_id}"))
    answers.append(await client.get("/consent/%2F%2Fevil.example"))
    answers.append(await client.get("/consent/https:%2F%2Fevil.example/done"))
    answers.append(await submit(client, request_id, form(None, service_fields(service))))
    # Signed in as a sub-account: refused as a page.
    await sign_in(client, sub)
    answers.append(await client.get(f"/consent/{request_id}"))
    await sign_in(client, main)
    answers.append(await client.get("/consent/azr_unknown"))
    _, csrf = await open_form(client, request_id)
    body = form(csrf, service_fields(service))
    answers.append(await submit(client, request_id, body, origin="https://evil.example"))
    answers.append(await submit(client, request_id, {**body, "csrf_token": "forged"}))
    answers.append(await submit(client, request_id, {**body, "duration_days": "9999"}))
    answers.append(await submit(client, request_id, {**body, "decision": "maybe"}))
    for answer in answers:
        assert answer.status_code in (303, 400, 403, 404), answer.text
        assert_not_redirected_away(answer)
    # Expired and decided requests are pages too; the one decision goes to the return URL.
    await set_row(factory.app, AuthorizationRequest, request_id, expires_at=now() - timedelta(1))
    expired = await submit(client, request_id, body)
    assert expired.status_code == 410
    assert_not_redirected_away(expired)
    fresh = await open_link(client, service.id)
    _, csrf = await open_form(client, fresh)
    accepted = await submit(client, fresh, form(csrf, service_fields(service)))
    assert accepted.status_code == 303
    assert accepted.headers["location"].startswith(RETURN_URL + "?")
    again = await submit(client, fresh, form(csrf, service_fields(service)))
    assert again.status_code == 409
    assert_not_redirected_away(again)


EVIL_RETURN_TO = [
    "https://evil.example/",
    "http:evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/%5Cevil.example",
    "/%2F%2Fevil.example",
    "/\t/evil.example",
    " //evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "HTTPS://evil.example",
    "/consent/../../\\evil.example",
]


@pytest.mark.parametrize("return_to", EVIL_RETURN_TO)
async def test_dev_login_return_to_stays_on_our_host_rfc9700_4_11(
    client: AsyncClient, factory: Factory, return_to: str
) -> None:
    page = await client.get("/dev/login", params={"return_to": return_to})
    assert page.status_code == 200
    hidden = re.search(r'name="return_to" value="([^"]*)"', page.text)
    assert hidden is not None
    carried = html.unescape(hidden.group(1))
    assert carried.startswith("/") and not carried.startswith("//"), carried
    assert not urlsplit(carried).netloc, carried
    assert "\\" not in carried, carried  # browsers read a backslash as a slash
    _seller, main = await factory.seller()
    response = await sign_in(client, main, return_to)
    assert_not_redirected_away(response)
    unknown = await client.post(
        "/dev/login",
        data={"account_id": "acc_nobody", "return_to": return_to, "csrf_token": csrf_of(page.text)},
    )
    assert unknown.status_code == 404
    assert "location" not in unknown.headers


async def test_no_error_of_the_business_center_page_redirects_away_rfc9700_4_11(
    client: AsyncClient, factory: Factory
) -> None:
    """`/bc/authorize/{token}` (the QR code's page): unknown and hostile tokens, signed out,
    signed in, cross-origin posts — pages or our own sign-in, never a foreign host."""
    _seller, main = await factory.seller()
    tokens = ["unknown", "%2F%2Fevil.example", "https:%2F%2Fevil.example", "..%5Cevil.example"]
    answers = []
    for signed_in in (False, True):
        if signed_in:
            await sign_in(client, main)
        for token in tokens:
            path = f"/bc/authorize/{token}"
            answers.append(await client.get(path, params=LURES))
            answers.append(await client.post(path, data={"decision": "approve", **LURES}))
            answers.append(
                await client.post(path, data=LURES, headers={"origin": "https://evil.example"})
            )
    for answer in answers:
        assert answer.status_code < 500, answer.text
        assert_not_redirected_away(answer)


def _routes(app: FastAPI) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        if isinstance(route, APIRoute | Route):
            for method in sorted(route.methods or ()):
                if method != "HEAD":
                    found.append((method, route.path))
    return found


PATH_VALUES = ("https:%2F%2Fevil.example", "%2F%2Fevil.example", "..%5C..%5Cevil.example")


async def test_no_route_answers_with_a_redirect_to_a_foreign_host_rfc9700_4_11(
    client: AsyncClient, factory: Factory
) -> None:
    """A sweep over every mounted route (so routes added later, e.g. `/bc/…`, are covered):
    path parameters, query and body full of attacker URLs, with and without a signed-in
    seller; whatever the answer, no `Location` leaves our host."""
    _seller, main = await factory.seller()
    identity = await factory.headers(main)
    checked = 0
    for method, template in _routes(factory.app):
        for value in PATH_VALUES:
            path = _fill(template, value)
            for headers in ({}, identity):
                response = await client.request(
                    method,
                    path,
                    params=LURES,
                    json=LURES if method != "GET" else None,
                    headers=headers,
                )
                assert response.status_code < 500, (method, path, response.text)
                assert_not_redirected_away(response)
                form_post = await client.request(
                    method,
                    path,
                    params=LURES,
                    data=LURES if method != "GET" else None,
                    headers=headers,
                )
                assert_not_redirected_away(form_post)
                checked += 2
    assert checked > 100


def _fill(template: str, value: str) -> str:
    out = template
    while "{" in out:
        start = out.index("{")
        out = out[:start] + value + out[out.index("}", start) + 1 :]
    return out
