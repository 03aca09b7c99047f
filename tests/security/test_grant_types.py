"""Grants RFC 9700 forbids are refused: the implicit grant (§2.1.2) at the authorization
endpoint and the resource owner password credentials grant (§2.4) at the token endpoint."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from httpx import AsyncClient

from tests.factories import Factory
from tests.oauth.helpers import REDIRECT, link_params, partner_app, pkce_pair, query_of


@pytest.mark.parametrize(
    "response_type", ["token", "code token", "id_token token", "id_token", "code id_token"]
)
async def test_the_implicit_grant_is_refused_rfc9700_2_1_2(
    client: AsyncClient, factory: Factory, response_type: str
) -> None:
    app = await partner_app(factory)
    params = link_params(app, pkce_pair()[1], response_type=response_type)
    response = await client.get("/open/authorize", params=params)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith(REDIRECT + "?")
    assert query_of(location)["error"] == "unsupported_response_type"
    assert not urlsplit(location).fragment  # nothing returned in a fragment
    assert "access_token" not in location
    metadata = (await client.get("/.well-known/oauth-authorization-server")).json()
    assert metadata["response_types_supported"] == ["code"]


@pytest.mark.parametrize(
    "grant_type",
    [
        "password",
        "implicit",
        "urn:ietf:params:oauth:grant-type:token-exchange",
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
    ],
)
async def test_the_password_and_other_unoffered_grants_are_refused_rfc9700_2_4(
    client: AsyncClient, factory: Factory, grant_type: str
) -> None:
    app = await partner_app(factory)
    seller_account = app.main.id
    response = await client.post(
        "/oauth/token",
        data={"grant_type": grant_type, "username": seller_account, "password": "pw", "scope": ""},
        headers=app.auth(),
    )
    assert (response.status_code, response.json()["error"]) == (400, "unsupported_grant_type")
    assert "access_token" not in response.json()
    metadata = (await client.get("/.well-known/oauth-authorization-server")).json()
    assert set(metadata["grant_types_supported"]) == {
        "authorization_code",
        "refresh_token",
        "client_credentials",
    }
