"""POST /v1/clients: who registers what, and what a client may hold (seed 004)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select

from tests.factories import Factory
from tests.oauth.jose_helpers import ClientKey
from tsp_auth.models import Client, Partner

APP = {
    "name": "Acme app",
    "client_type": "confidential",
    "redirect_uris": ["https://app.example.com/callback"],
    "scopes": ["partner.affiliate.read"],
}


async def _admin(factory: Factory) -> tuple[dict[str, str], Partner]:
    partner = await factory.partner(categories=("tap",))
    admin = await factory.account("partner", "admin", partner_id=partner.id)
    return await factory.headers(admin), partner


async def _stored(factory: Factory, client_id: str) -> Client:
    async with factory.app.state.sessionmaker() as session:
        row = await session.get(Client, client_id)
        assert row is not None
        return row


async def test_a_partner_admin_registers_a_confidential_app(
    client: AsyncClient, factory: Factory
) -> None:
    headers, partner = await _admin(factory)
    response = await client.post("/v1/clients", json=APP, headers=headers)
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["client_id"].startswith("cli_") and body["partner_id"] == partner.id
    assert body["service_id"].startswith("app_")
    assert (body["status"], body["token_endpoint_auth_method"]) == (
        "development",
        "client_secret_basic",
    )
    secret = body["client_secret"]
    assert len(secret) >= 43
    stored = await _stored(factory, body["client_id"])
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    again = await client.get(f"/v1/clients/{body['client_id']}", headers=headers)
    assert "client_secret" not in again.json()  # shown once


async def test_a_public_app_has_no_secret(client: AsyncClient, factory: Factory) -> None:
    headers, _ = await _admin(factory)
    response = await client.post(
        "/v1/clients", json={**APP, "client_type": "public"}, headers=headers
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["client_secret"], body["token_endpoint_auth_method"]) == (None, "none")
    assert (await _stored(factory, body["client_id"])).secret_hash is None


async def test_an_app_may_be_tied_to_one_of_the_partners_services_once(
    client: AsyncClient, factory: Factory
) -> None:
    headers, partner = await _admin(factory)
    own = await factory.service(partner)
    foreign = await factory.service(await factory.partner())
    tied = await client.post("/v1/clients", json={**APP, "service_id": own.id}, headers=headers)
    assert tied.status_code == 201 and tied.json()["service_id"] == own.id
    twice = await client.post("/v1/clients", json={**APP, "service_id": own.id}, headers=headers)
    assert (twice.status_code, twice.json()["error"]) == (409, "service_has_client")
    other = await client.post(
        "/v1/clients", json={**APP, "service_id": foreign.id}, headers=headers
    )
    assert (other.status_code, other.json()["error"]) == (404, "unknown_service")


@pytest.mark.parametrize(
    "uri",
    [
        "http://app.example.com/callback",  # plain http
        "https://app.example.com/callback#frag",
        "https://app.example.com/callback#",
        "/callback",  # relative
        "app.example.com/callback",
        "https://user:pw@app.example.com/cb",
        "https://app.example.com/call back",
        "ftp://app.example.com/cb",
        "https://app.example.com:99999/cb",
        "javascript:alert(1)",
    ],
)
async def test_bad_redirect_uris_are_refused(
    client: AsyncClient, factory: Factory, uri: str
) -> None:
    headers, _ = await _admin(factory)
    response = await client.post(
        "/v1/clients", json={**APP, "redirect_uris": [uri]}, headers=headers
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_redirect_uri")


@pytest.mark.parametrize(
    "uris",
    [
        ["http://127.0.0.1:8765/cb", "http://localhost/cb", "http://[::1]:9000/cb"],
        ["https://app.example.com/cb?tenant=7"],
    ],
)
async def test_loopback_http_and_queries_are_allowed(
    client: AsyncClient, factory: Factory, uris: list[str]
) -> None:
    headers, _ = await _admin(factory)
    response = await client.post(
        "/v1/clients", json={**APP, "redirect_uris": uris}, headers=headers
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"redirect_uris": []}, "invalid_redirect_uri"),
        ({"redirect_uris": [f"https://a.example.com/{i}" for i in range(11)]}, "invalid_request"),
        (
            {"redirect_uris": ["https://a.example.com/", "https://a.example.com/"]},
            "invalid_redirect_uri",
        ),
        ({"scopes": []}, "invalid_scope"),
        ({"scopes": ["tsp.introspect"]}, "invalid_scope"),
        ({"scopes": ["partner.unknown"]}, "invalid_scope"),
        ({"scopes": ["openid"]}, "invalid_scope"),
        ({"client_type": "first_party"}, "operator_required"),
        ({"unknown": "field"}, "invalid_request"),
    ],
)
async def test_partner_app_refusals(
    client: AsyncClient, factory: Factory, change: dict[str, Any], error: str
) -> None:
    headers, _ = await _admin(factory)
    response = await client.post("/v1/clients", json={**APP, **change}, headers=headers)
    assert response.status_code in (400, 403), response.text
    assert response.json()["error"] == error


async def test_an_operator_registers_first_party_clients_only(
    client: AsyncClient, factory: Factory
) -> None:
    headers = await factory.headers(await factory.operator())
    body = {"name": "seller console", "client_type": "first_party", "scopes": ["tsp.introspect"]}
    created = await client.post("/v1/clients", json=body, headers=headers)
    assert created.status_code == 201, created.text
    answer = created.json()
    assert (answer["partner_id"], answer["service_id"], answer["status"]) == (None, None, "live")
    assert answer["redirect_uris"] == [] and answer["client_secret"]
    for change in ({"client_type": "confidential"}, {"redirect_uris": ["https://x.example/"]}):
        refused = await client.post("/v1/clients", json={**body, **change}, headers=headers)
        assert refused.status_code == 400
    partner_scope = await client.post(
        "/v1/clients", json={**body, "scopes": ["partner.affiliate.read"]}, headers=headers
    )
    assert partner_scope.json()["error"] == "invalid_scope"


@pytest.mark.parametrize(("kind", "role"), [("partner", "member"), ("seller", "main")])
async def test_members_and_sellers_cannot_register(
    client: AsyncClient, factory: Factory, kind: str, role: str
) -> None:
    partner = await factory.partner()
    if kind == "partner":
        account = await factory.account(kind, role, partner_id=partner.id)
    else:
        _, account = await factory.seller()
    response = await client.post("/v1/clients", json=APP, headers=await factory.headers(account))
    assert (response.status_code, response.json()["error"]) == (403, "partner_admin_required")


async def test_registration_needs_a_caller(client: AsyncClient) -> None:
    assert (await client.post("/v1/clients", json=APP)).status_code == 401


async def test_a_private_key_jwt_app_registers_keys_and_gets_no_secret(
    client: AsyncClient, factory: Factory
) -> None:
    """RFC 7591 §2 names in, the same names back (§3.2.1); no secret for a keyed client."""
    headers, _ = await _admin(factory)
    jwks = ClientKey.generate("EdDSA").jwks()
    body = {
        **APP,
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks": jwks,
        "dpop_bound_access_tokens": True,
        "require_pushed_authorization_requests": True,
        "profile": "fapi2",
    }
    response = await client.post("/v1/clients", json=body, headers=headers)
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["client_secret"] is None
    assert answer["token_endpoint_auth_method"] == "private_key_jwt"
    assert (answer["jwks"], answer["jwks_uri"]) == (jwks, None)
    assert answer["dpop_bound_access_tokens"] is True
    assert answer["require_pushed_authorization_requests"] is True
    assert answer["profile"] == "fapi2"
    stored = await _stored(factory, answer["client_id"])
    assert (stored.secret_hash, stored.token_endpoint_auth_method) == (None, "private_key_jwt")
    rotated = await client.post(f"/v1/clients/{answer['client_id']}/secret", headers=headers)
    assert (rotated.status_code, rotated.json()["error"]) == (400, "invalid_client_metadata")


async def test_a_jwks_uri_is_an_https_url(client: AsyncClient, factory: Factory) -> None:
    headers, _ = await _admin(factory)
    body = {
        **APP,
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks_uri": "https://app.example.com/jwks.json",
    }
    response = await client.post("/v1/clients", json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["jwks_uri"] == "https://app.example.com/jwks.json"


@pytest.mark.parametrize(
    "extra",
    [
        {"token_endpoint_auth_method": "private_key_jwt"},  # no keys
        {"token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": []}},
        {"token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [{"kty": "oct"}]}},
        {"token_endpoint_auth_method": "private_key_jwt", "jwks_uri": "http://x.example/j"},
        {"token_endpoint_auth_method": "private_key_jwt", "jwks_uri": "https://a", "jwks": {}},
        {"jwks_uri": "https://app.example.com/jwks.json"},  # keys without the method
        {"token_endpoint_auth_method": "none"},  # a confidential client has credentials
        {"profile": "fapi2"},  # fapi2 needs private_key_jwt
    ],
)
async def test_bad_security_metadata_is_invalid_client_metadata(
    client: AsyncClient, factory: Factory, extra: dict[str, Any]
) -> None:
    headers, partner = await _admin(factory)
    response = await client.post("/v1/clients", json={**APP, **extra}, headers=headers)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_client_metadata")
    async with factory.app.state.sessionmaker() as session:
        stored = await session.scalars(select(Client).where(Client.partner_id == partner.id))
        assert stored.all() == []


async def test_a_private_key_jwt_key_must_be_public(client: AsyncClient, factory: Factory) -> None:
    headers, _ = await _admin(factory)
    jwk = ClientKey.generate().registered()
    body = {
        **APP,
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks": {"keys": [{**jwk, "d": "c2VjcmV0"}]},
    }
    response = await client.post("/v1/clients", json=body, headers=headers)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_client_metadata")
