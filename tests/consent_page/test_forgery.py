"""`POST /consent/{id}`: a missing or wrong CSRF token, or another origin, writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response

from tests.consent.helpers import open_link, snapshot
from tests.consent_page.helpers import (
    assert_page_headers,
    form,
    open_form,
    service_fields,
    sign_in,
    submit,
)
from tests.factories import Factory
from tsp_auth.models import Account, Service
from tsp_auth.web.csrf import csrf_token, csrf_valid


async def _ready(client: AsyncClient, factory: Factory) -> tuple[Service, Account, str, str]:
    service = await factory.service(await factory.partner())
    _, main = await factory.seller("UK")
    request_id = await open_link(client, service.id, state="st-csrf")
    await sign_in(client, main)
    _, csrf = await open_form(client, request_id)
    return service, main, request_id, csrf


async def _refused(
    app: FastAPI, client: AsyncClient, request_id: str, body: dict[str, Any], **headers: str
) -> Response:
    before = await snapshot(app)
    response = await submit(client, request_id, body, **headers)
    assert response.status_code == 403, response.text
    assert_page_headers(response)
    assert await snapshot(app) == before
    return response


@pytest.mark.parametrize("decision", ["accept", "reject"])
@pytest.mark.parametrize("token", [None, "", "forged-token"])
async def test_missing_or_wrong_csrf_token_is_403_and_writes_nothing(
    client: AsyncClient, factory: Factory, decision: str, token: str | None
) -> None:
    service, _, request_id, _ = await _ready(client, factory)
    body = form(token, service_fields(service), decision=decision)

    page = await _refused(factory.app, client, request_id, body)

    assert '<code id="error">csrf_token_invalid</code>' in page.text


async def test_a_token_is_good_for_one_request_and_one_sign_in_only(
    client: AsyncClient, factory: Factory
) -> None:
    service, main, request_id, csrf = await _ready(client, factory)
    other_request = await open_link(client, service.id)
    await _refused(factory.app, client, other_request, form(csrf, service_fields(service)))
    # Another seller's browser cannot replay it, nor can a new sign-in of the same account.
    _, other_main = await factory.seller("UK")
    await sign_in(client, other_main)
    await _refused(factory.app, client, request_id, form(csrf, service_fields(service)))
    await sign_in(client, main)
    _, token = await open_form(client, request_id)
    accepted = await submit(client, request_id, form(token, service_fields(service)))
    assert accepted.status_code == 303, accepted.text


def test_the_token_binds_request_account_and_identity_cookie() -> None:
    token = csrf_token("secret", request_id="azr_1", account_id="acc_1", identity_token="jwt-a")
    assert csrf_valid(token, token)
    for changed in (
        csrf_token("other", request_id="azr_1", account_id="acc_1", identity_token="jwt-a"),
        csrf_token("secret", request_id="azr_2", account_id="acc_1", identity_token="jwt-a"),
        csrf_token("secret", request_id="azr_1", account_id="acc_2", identity_token="jwt-a"),
        csrf_token("secret", request_id="azr_1", account_id="acc_1", identity_token="jwt-b"),
    ):
        assert not csrf_valid(token, changed)
    assert not csrf_valid(token, None) and not csrf_valid(token, "é" * 43)


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"origin": "http://testserver.evil.example"},
        {"origin": "https://testserver"},
        # The Host the request came in on is not our origin: the issuer's is (a proxy's
        # upstream address must not pass, docs/security.md).
        {"origin": "http://testserver"},
        {"origin": "https://127.0.0.1:8000"},
        {"origin": "null", "sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site"},
    ],
)
async def test_another_origin_is_403_and_writes_nothing(
    client: AsyncClient, factory: Factory, headers: dict[str, str]
) -> None:
    service, _, request_id, csrf = await _ready(client, factory)

    page = await _refused(
        factory.app, client, request_id, form(csrf, service_fields(service)), **headers
    )

    assert '<code id="error">origin_mismatch</code>' in page.text or (
        '<code id="error">cross_site_request</code>' in page.text
    )


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "http://127.0.0.1:8000"},  # the origin of TSP_AUTH_ISSUER (tests' default)
        # Chromium's own form post under Referrer-Policy: no-referrer (see web/csrf.py).
        {"origin": "null", "sec-fetch-site": "same-origin"},
        {},
    ],
)
async def test_our_own_origin_passes(
    client: AsyncClient, factory: Factory, headers: dict[str, str]
) -> None:
    service, _, request_id, csrf = await _ready(client, factory)

    response = await submit(client, request_id, form(csrf, service_fields(service)), **headers)

    assert response.status_code == 303, response.text
    assert response.headers["location"] == "https://partner.example.com/callback?state=st-csrf"


async def test_post_without_a_cookie_goes_to_sign_in_and_writes_nothing(
    client: AsyncClient, factory: Factory
) -> None:
    service, _, request_id, csrf = await _ready(client, factory)
    client.cookies.clear()
    before = await snapshot(factory.app)

    response = await submit(client, request_id, form(csrf, service_fields(service)))

    assert response.status_code == 303
    assert response.headers["location"] == f"/dev/login?return_to=/consent/{request_id}"
    assert await snapshot(factory.app) == before
