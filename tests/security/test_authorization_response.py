"""What the authorization response carries back through the browser: `state` exactly as sent
(RFC 6749 §10.12), `iss` always (RFC 9207), and never a token (RFC 9700 §2.1.2, §4.2, §4.3)."""

from __future__ import annotations

import string
from typing import Any
from urllib.parse import urlsplit

import pytest
from httpx import AsyncClient

from tests.consent.helpers import decision, pick
from tests.factories import Factory
from tests.oauth.helpers import (
    REDIRECT,
    accept,
    link_params,
    open_app_link,
    partner_app,
    pkce_pair,
    query_of,
)
from tests.tsp_access.helpers import login, make_world

# 512 characters, every RFC 3986 unreserved character: the longest state we accept.
LONG_STATE = ((string.ascii_letters + string.digits + "-._~") * 8)[:512]


async def _issuer(client: AsyncClient) -> str:
    metadata = (await client.get("/.well-known/oauth-authorization-server")).json()
    assert metadata["authorization_response_iss_parameter_supported"] is True
    return str(metadata["issuer"])


@pytest.mark.parametrize("outcome", ["accept", "reject"])
async def test_state_round_trips_exactly_on_accept_and_deny_rfc6749_10_12(
    client: AsyncClient, factory: Factory, outcome: str
) -> None:
    app = await partner_app(factory)
    request_id = await open_app_link(client, app, pkce_pair()[1], state=LONG_STATE)
    if outcome == "accept":
        location = await accept(client, app, request_id)
    else:
        response = await client.post(
            f"/v1/authorization-requests/{request_id}/reject", headers=app.seller_headers
        )
        location = response.json()["redirect_to"]
    assert query_of(location)["state"] == LONG_STATE
    # A plain link (service return URL) carries it back the same way.
    partner = await factory.partner()
    service = await factory.service(partner, return_url="https://p.example.com/cb?keep=1")
    _seller, main = await factory.seller()
    opened = await client.get(
        "/open/authorize", params={"service_id": service.id, "state": LONG_STATE}
    )
    plain_id = opened.headers["location"].removeprefix("/consent/")
    body = decision(pick(service)) if outcome == "accept" else None
    decided = await client.post(
        f"/v1/authorization-requests/{plain_id}/{outcome}",
        json=body,
        headers=await factory.headers(main),
    )
    answer = query_of(decided.json()["redirect_to"])
    assert (answer["state"], answer["keep"]) == (LONG_STATE, "1")


async def test_a_state_we_could_not_return_unchanged_is_refused_rfc6749_10_12(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    service = await factory.service(partner)
    # RFC 6749 A.5: VSCHAR is %x20-7E; "a b", "a&b=c" are fine (returned encoded), these not.
    for state in (LONG_STATE + "a", "a\nb", "a\tb", "é", "a\x7fb"):
        response = await client.get(
            "/open/authorize", params={"service_id": service.id, "state": state}
        )
        assert response.status_code == 400, state
        assert "location" not in response.headers


async def _authorization_responses(client: AsyncClient, factory: Factory) -> list[str]:
    """A success, a denial, and every error that goes back to the app."""
    app = await partner_app(factory)
    locations = [await accept(client, app, await open_app_link(client, app, pkce_pair()[1]))]
    rejected = await client.post(
        f"/v1/authorization-requests/{await open_app_link(client, app, pkce_pair()[1])}/reject",
        headers=app.seller_headers,
    )
    locations.append(rejected.json()["redirect_to"])
    errors: list[dict[str, Any]] = [
        {"response_type": "token"},
        {"response_type": None},
        {"code_challenge_method": "plain"},
        {"scope": "partner.unknown"},
        {"state": None, "response_type": "id_token"},
    ]
    for broken in errors:
        response = await client.get("/open/authorize", params=link_params(app, "x" * 43, **broken))
        assert response.status_code == 303, broken
        locations.append(response.headers["location"])
    development = await partner_app(factory, status="development")
    response = await client.get("/open/authorize", params=link_params(development, "x" * 43))
    locations.append(response.headers["location"])
    return locations


async def test_iss_is_on_every_authorization_response_and_is_the_metadata_issuer_rfc9207_2(
    client: AsyncClient, factory: Factory
) -> None:
    issuer = await _issuer(client)
    for location in await _authorization_responses(client, factory):
        assert location.startswith(REDIRECT + "?"), location
        assert query_of(location)["iss"] == issuer, location


async def test_authorization_responses_carry_only_code_state_iss_or_error_rfc9700_4_3(
    client: AsyncClient, factory: Factory
) -> None:
    """No token, ever, in a URL the browser sees (history, Referer, logs): the success carries
    `code`, `state`, `iss`; errors `error`, `error_description`, `state`, `iss`; no fragment."""
    allowed_success = {"code", "state", "iss"}
    allowed_error = {"error", "error_description", "state", "iss"}
    for location in await _authorization_responses(client, factory):
        answer = query_of(location)
        assert set(answer) <= (allowed_error if "error" in answer else allowed_success), location
        assert not urlsplit(location).fragment
        assert "token" not in urlsplit(location).query.lower()


async def test_the_consent_redirect_and_the_console_login_url_carry_no_token_rfc6750_5_3(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    opened = await client.get("/open/authorize", params=link_params(app, pkce_pair()[1]))
    assert opened.headers["location"].startswith("/consent/azr_")
    assert "?" not in opened.headers["location"]
    world = await make_world(factory)
    issued = (await login(factory, world.admin, world.seller.id)).json()
    target = urlsplit(issued["login_url"])
    assert (target.query, target.fragment) == ("", "")
    assert issued["login_token"] not in issued["login_url"]
    assert target.scheme == "https"
