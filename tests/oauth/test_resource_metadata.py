"""RFC 9728 protected resource metadata for the partner API (issue 23)."""

from __future__ import annotations

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tests.conftest import asgi_client, rollback_app
from tsp_auth.config import Settings


async def test_the_partner_api_names_this_authorization_server(
    client: AsyncClient, settings: Settings
) -> None:
    response = await client.get("/.well-known/oauth-protected-resource/api")
    assert response.status_code == 200
    document = response.json()
    # RFC 9728 §3.3: the resource is the URL the metadata path was derived from.
    assert document["resource"] == settings.issuer.rstrip("/") + "/api"
    assert document["authorization_servers"] == [settings.issuer]
    assert document["bearer_methods_supported"] == ["header"]
    assert set(document["dpop_signing_alg_values_supported"]) == {"ES256", "PS256", "EdDSA"}
    assert "partner.creator.read" in document["scopes_supported"]
    # The authorization server it names knows the same issuer, and mints tokens for it.
    server = (await client.get("/.well-known/oauth-authorization-server")).json()
    assert server["issuer"] == document["authorization_servers"][0]


async def test_no_metadata_when_tokens_are_minted_for_another_resource(
    settings: Settings, engine: AsyncEngine, connection: AsyncConnection
) -> None:
    elsewhere = settings.model_copy(update={"access_token_audience": "https://api.example.com"})
    app: FastAPI = rollback_app(elsewhere, engine, connection)
    async with asgi_client(app) as http:
        response = await http.get("/.well-known/oauth-protected-resource/api")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
