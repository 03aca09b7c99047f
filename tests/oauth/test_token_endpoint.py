"""The token endpoint's contract: form bodies, grant types, errors and headers (RFC 6749 §5)."""

from __future__ import annotations

import jwt
import pytest
from httpx import ASGITransport, AsyncClient

from tests.conftest import wire
from tests.factories import Factory
from tests.oauth.helpers import partner_app
from tsp_auth.app import create_app
from tsp_auth.config import Settings
from tsp_auth.db import create_engine, create_sessionmaker


def _no_store(headers: object) -> None:
    assert headers["cache-control"] == "no-store"  # type: ignore[index]
    assert headers["pragma"] == "no-cache"  # type: ignore[index]


async def test_a_json_body_is_invalid_request(client: AsyncClient, factory: Factory) -> None:
    app = await partner_app(factory)
    response = await client.post(
        "/oauth/token", json={"grant_type": "client_credentials"}, headers=app.auth()
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")
    assert "x-www-form-urlencoded" in response.json()["error_description"]
    _no_store(response.headers)


async def test_a_multipart_body_is_invalid_request(client: AsyncClient, factory: Factory) -> None:
    app = await partner_app(factory)
    response = await client.post(
        "/oauth/token", files={"grant_type": (None, "client_credentials")}, headers=app.auth()
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")


@pytest.mark.parametrize(
    "grant_type",
    [
        "password",
        "implicit",
        "token",
        "urn:ietf:params:oauth:grant-type:token-exchange",
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "urn:ietf:params:oauth:grant-type:device_code",
    ],
)
async def test_other_grant_types_are_unsupported(
    client: AsyncClient, factory: Factory, grant_type: str
) -> None:
    app = await partner_app(factory)
    form = {"grant_type": grant_type, "username": "u", "password": "p", "subject_token": "t"}
    response = await client.post("/oauth/token", data=form, headers=app.auth())
    assert (response.status_code, response.json()["error"]) == (400, "unsupported_grant_type")
    _no_store(response.headers)


async def test_a_missing_grant_type_is_invalid_request(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    response = await client.post("/oauth/token", data={"scope": "x"}, headers=app.auth())
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")
    _no_store(response.headers)


async def test_a_repeated_parameter_is_invalid_request(
    client: AsyncClient, factory: Factory
) -> None:
    first_party, secret = await factory.oauth_client(
        client_type="first_party", scopes=["tsp.introspect"]
    )
    response = await client.post(
        "/oauth/token",
        content="grant_type=client_credentials&scope=a&scope=b",
        headers={"content-type": "application/x-www-form-urlencoded"},
        auth=(first_party.id, secret or ""),
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")
    assert "scope" in response.json()["error_description"]


async def test_client_credentials_for_a_first_party_client(
    client: AsyncClient, factory: Factory
) -> None:
    first_party, secret = await factory.oauth_client(
        client_type="first_party", scopes=["tsp.introspect", "tsp.decisions"]
    )
    response = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": "tsp.decisions"},
        auth=(first_party.id, secret or ""),
    )
    assert response.status_code == 200, response.text
    _no_store(response.headers)
    body = response.json()
    assert "refresh_token" not in body  # RFC 6749 §4.4.3
    assert body["scope"] == "tsp.decisions"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert (claims["sub"], claims["client_id"]) == (first_party.id, first_party.id)
    assert not {"grant_id", "gv", "fam"} & set(claims)


@pytest.mark.parametrize("scope", ["tsp.introspect tsp.admin", "partner.affiliate.read", " "])
async def test_client_credentials_scope_may_only_narrow(
    client: AsyncClient, factory: Factory, scope: str
) -> None:
    first_party, secret = await factory.oauth_client(
        client_type="first_party", scopes=["tsp.introspect"]
    )
    response = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": scope},
        auth=(first_party.id, secret or ""),
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_scope")


@pytest.mark.parametrize("client_type", ["confidential", "public"])
async def test_client_credentials_is_for_first_party_clients_only(
    client: AsyncClient, factory: Factory, client_type: str
) -> None:
    app = await partner_app(factory, client_type=client_type)
    response = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", **app.form_auth()},
        headers=app.auth(),
    )
    assert (response.status_code, response.json()["error"]) == (400, "unauthorized_client")


async def test_a_database_outage_is_503_with_retry_after_not_invalid_grant() -> None:
    settings = Settings(
        database_url="postgresql+asyncpg://postgres@127.0.0.1:1/none",
        database_timeout_seconds=2,
        retry_after_seconds=7,
    )
    app = create_app(settings)
    engine = create_engine(settings)
    wire(app, engine, create_sessionmaker(engine))
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.post(
            "/oauth/token",
            data={"grant_type": "authorization_code", "code": "c", "redirect_uri": "https://x"},
            auth=("cli_x", "secret"),
        )
    await engine.dispose()
    assert response.status_code == 503
    assert response.headers["retry-after"] == "7"
    assert response.json()["error"] == "temporarily_unavailable"
    _no_store(response.headers)
