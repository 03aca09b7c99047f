"""JWKS (RFC 7517 §5) and authorization server metadata (RFC 8414 §3)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import jwt
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from tests.keys.conftest import AUDIENCE, sign
from tsp_auth.app import create_app
from tsp_auth.clients.scopes import FIRST_PARTY_SCOPES, PARTNER_APP_SCOPES
from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.keys.ring import KeyRing
from tsp_auth.oauth.metadata import METADATA_PATH

PUBLIC_MEMBERS = {"kid", "kty", "crv", "x", "y", "alg", "use"}


async def test_jwks_lists_the_current_key_and_public_members_only(
    app: FastAPI, client: AsyncClient
) -> None:
    response = await client.get("/.well-known/jwks.json")

    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=300"
    keys = response.json()["keys"]
    keyring: KeyRing = app.state.keyring
    assert [key["kid"] for key in keys] == [keyring.keyset.current(now()).kid]
    for key in keys:
        assert set(key) == PUBLIC_MEMBERS  # no "d", nor anything else private
        assert (key["kty"], key["crv"], key["alg"], key["use"]) == ("EC", "P-256", "ES256", "sig")


async def test_an_independent_library_verifies_our_tokens_through_the_jwks(
    app: FastAPI, client: AsyncClient, settings: Settings
) -> None:
    token = await sign(app, now())
    jwks = (await client.get("/.well-known/jwks.json")).json()

    kid = jwt.get_unverified_header(token)["kid"]
    entry = next(key for key in jwks["keys"] if key["kid"] == kid)
    claims = jwt.decode(
        token,
        jwt.PyJWK(entry).key,
        algorithms=["ES256"],
        audience=AUDIENCE,
        issuer=settings.issuer,
        options={"require": ["exp", "iat", "iss", "aud"]},
    )
    assert claims["sub"] == "seller_1"


async def test_metadata_advertises_every_endpoint_from_the_issuer(
    client: AsyncClient, settings: Settings
) -> None:
    response = await client.get("/.well-known/oauth-authorization-server")

    assert response.status_code == 200
    assert response.headers["cache-control"].startswith("public, max-age=")
    issuer = settings.issuer
    assert response.json() == {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/open/authorize",
        "token_endpoint": f"{issuer}/oauth/token",
        "introspection_endpoint": f"{issuer}/oauth/introspect",
        "revocation_endpoint": f"{issuer}/oauth/revoke",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "token_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "private_key_jwt",
            "none",
        ],
        "token_endpoint_auth_signing_alg_values_supported": ["ES256", "PS256", "EdDSA"],
        "introspection_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "private_key_jwt",
        ],
        "introspection_endpoint_auth_signing_alg_values_supported": ["ES256", "PS256", "EdDSA"],
        "revocation_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "private_key_jwt",
            "none",
        ],
        "revocation_endpoint_auth_signing_alg_values_supported": ["ES256", "PS256", "EdDSA"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": [
            "partner.affiliate.read",
            "partner.affiliate.write",
            "partner.creator.read",
            "partner.data_compass.read",
            "partner.ticket.write",
            "tsp.decisions",
            "tsp.introspect",
        ],
        "authorization_response_iss_parameter_supported": True,
        "introspection_signing_alg_values_supported": ["ES256"],
        "pushed_authorization_request_endpoint": f"{issuer}/oauth/par",
        "dpop_signing_alg_values_supported": ["ES256", "PS256", "EdDSA"],
        "require_pushed_authorization_requests": False,
    }
    jwks = await client.get(urlsplit(response.json()["jwks_uri"]).path)
    assert jwks.status_code == 200


async def test_metadata_follows_the_configured_issuer() -> None:
    app = create_app(Settings(issuer="https://auth.example.test/"))
    transport = ASGITransport(app=app)
    async with AsyncClient(transport=transport, base_url="http://testserver") as client:
        body = (await client.get("/.well-known/oauth-authorization-server")).json()

    assert body["issuer"] == "https://auth.example.test/"
    assert body["token_endpoint"] == "https://auth.example.test/oauth/token"
    assert body["jwks_uri"] == "https://auth.example.test/.well-known/jwks.json"


async def test_tokens_carry_the_issuer_of_the_metadata(app: FastAPI, settings: Settings) -> None:
    token = await sign(app, now(), lifetime=timedelta(minutes=1))

    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == settings.issuer


async def test_scopes_supported_names_every_scope_a_client_may_hold(
    client: AsyncClient,
) -> None:
    """RFC 8414 §2: the partner apps' `partner.*` and the first parties' `tsp.*` alike."""
    advertised = set((await client.get(METADATA_PATH)).json()["scopes_supported"])

    assert advertised == set(PARTNER_APP_SCOPES | FIRST_PARTY_SCOPES)
    assert {s for s in advertised if s.startswith("tsp.")} == {"tsp.decisions", "tsp.introspect"}
