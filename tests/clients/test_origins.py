"""allowed_origins: the browser origins of a public client (CORS, docs/oauth.md)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tests.conftest import asgi_client, rollback_app
from tests.factories import Factory
from tsp_auth.clients.origins import origin_problem
from tsp_auth.config import Settings
from tsp_auth.models import Client, Partner

SPA = {
    "name": "Acme single-page app",
    "client_type": "public",
    "redirect_uris": ["https://spa.example.com/callback"],
    "allowed_origins": ["https://spa.example.com", "https://spa.example.com:8443"],
    "scopes": ["partner.affiliate.read"],
}


async def _admin(factory: Factory) -> tuple[dict[str, str], Partner]:
    partner = await factory.partner(categories=("tap",))
    admin = await factory.account("partner", "admin", partner_id=partner.id)
    return await factory.headers(admin), partner


async def _clients(app: FastAPI) -> list[Client]:
    async with app.state.sessionmaker() as session:
        return list((await session.scalars(select(Client))).all())


async def test_a_public_app_registers_and_changes_its_origins(
    client: AsyncClient, factory: Factory
) -> None:
    headers, _ = await _admin(factory)
    created = await client.post("/v1/clients", json=SPA, headers=headers)
    assert created.status_code == 201, created.text
    client_id = created.json()["client_id"]
    assert created.json()["allowed_origins"] == SPA["allowed_origins"]
    (stored,) = await _clients(factory.app)
    assert stored.allowed_origins == SPA["allowed_origins"]
    changed = await client.patch(
        f"/v1/clients/{client_id}", json={"allowed_origins": []}, headers=headers
    )
    assert changed.status_code == 200 and changed.json()["allowed_origins"] == []
    read = await client.get(f"/v1/clients/{client_id}", headers=headers)
    assert read.json()["allowed_origins"] == []


async def test_clients_registered_without_origins_have_none(
    client: AsyncClient, factory: Factory
) -> None:
    headers, _ = await _admin(factory)
    body = {k: v for k, v in SPA.items() if k != "allowed_origins"}
    created = await client.post("/v1/clients", json=body, headers=headers)
    assert created.status_code == 201 and created.json()["allowed_origins"] == []


@pytest.mark.parametrize(
    ("origin", "says"),
    [
        ("https://spa.example.com/", "no path"),
        ("https://spa.example.com/app", "no path"),
        ("https://spa.example.com?x=1", "no path"),
        ("https://spa.example.com#x", "no path"),
        ("https://user@spa.example.com", "no path"),
        ("https://SPA.example.com", "'https://spa.example.com'"),
        ("https://spa.example.com:443", "'https://spa.example.com'"),
        ("http://spa.example.com", "must use https"),
        ("spa.example.com", "https origin"),
        ("ftp://spa.example.com", "https origin"),
        ("*", "https origin"),
        ("null", "https origin"),
        ("https://spa.example.com:99999", "not a valid origin"),
        ("https://bücher.example", "ASCII"),
        (" https://spa.example.com", "whitespace"),
    ],
)
async def test_bad_origins_are_refused_and_nothing_is_written(
    client: AsyncClient, factory: Factory, origin: str, says: str
) -> None:
    headers, _ = await _admin(factory)
    response = await client.post(
        "/v1/clients", json={**SPA, "allowed_origins": [origin]}, headers=headers
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_origin")
    assert says in response.json()["detail"]
    assert await _clients(factory.app) == []


async def test_repeated_or_too_many_origins_are_refused(
    client: AsyncClient, factory: Factory
) -> None:
    headers, _ = await _admin(factory)
    twice = ["https://spa.example.com"] * 2
    repeated = await client.post(
        "/v1/clients", json={**SPA, "allowed_origins": twice}, headers=headers
    )
    assert (repeated.status_code, repeated.json()["error"]) == (400, "invalid_origin")
    many = [f"https://spa{i}.example.com" for i in range(11)]
    too_many = await client.post(
        "/v1/clients", json={**SPA, "allowed_origins": many}, headers=headers
    )
    assert (too_many.status_code, too_many.json()["error"]) == (400, "invalid_request")
    assert await _clients(factory.app) == []


async def test_only_public_clients_have_origins(client: AsyncClient, factory: Factory) -> None:
    headers, _ = await _admin(factory)
    confidential = {**SPA, "client_type": "confidential"}
    refused = await client.post("/v1/clients", json=confidential, headers=headers)
    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_origin")
    assert "only public clients" in refused.json()["detail"]
    assert await _clients(factory.app) == []
    no_origins = {**confidential, "allowed_origins": []}
    created = await client.post("/v1/clients", json=no_origins, headers=headers)
    assert created.status_code == 201, created.text
    patched = await client.patch(
        f"/v1/clients/{created.json()['client_id']}",
        json={"allowed_origins": ["https://spa.example.com"]},
        headers=headers,
    )
    assert (patched.status_code, patched.json()["error"]) == (400, "invalid_origin")
    (stored,) = await _clients(factory.app)
    assert stored.allowed_origins == []


async def test_a_partner_member_cannot_change_origins(
    client: AsyncClient, factory: Factory
) -> None:
    headers, partner = await _admin(factory)
    created = await client.post("/v1/clients", json=SPA, headers=headers)
    member = await factory.account("partner", "member", partner_id=partner.id)
    response = await client.patch(
        f"/v1/clients/{created.json()['client_id']}",
        json={"allowed_origins": ["https://evil.example.net"]},
        headers=await factory.headers(member),
    )
    assert (response.status_code, response.json()["error"]) == (403, "partner_admin_required")
    (stored,) = await _clients(factory.app)
    assert stored.allowed_origins == SPA["allowed_origins"]


LOOPBACK = ["http://127.0.0.1:5173", "http://localhost:3000", "http://[::1]:8080"]


async def test_loopback_http_origins_are_allowed_in_development(
    client: AsyncClient, factory: Factory
) -> None:
    headers, _ = await _admin(factory)
    response = await client.post(
        "/v1/clients", json={**SPA, "allowed_origins": LOOPBACK}, headers=headers
    )
    assert response.status_code == 201, response.text
    assert response.json()["allowed_origins"] == LOOPBACK


async def test_loopback_http_origins_are_refused_in_production(
    settings: Settings, engine: AsyncEngine, connection: AsyncConnection
) -> None:
    # model_copy skips the start-up checks that would also turn the development issuer off:
    # it stays on here only so the partner admin can sign in as in every other test.
    production = settings.model_copy(update={"environment": "production"})
    app = rollback_app(production, engine, connection)
    async with asgi_client(app) as client:
        factory = Factory(app, client)
        headers, _ = await _admin(factory)
        for origin in LOOPBACK:
            response = await client.post(
                "/v1/clients", json={**SPA, "allowed_origins": [origin]}, headers=headers
            )
            assert (response.status_code, response.json()["error"]) == (400, "invalid_origin")
        async with app.state.sessionmaker() as session:
            assert await session.scalar(select(func.count()).select_from(Client)) == 0


def test_the_origin_rule_itself() -> None:
    for origin in (
        "https://spa.example.com",
        "https://spa.example.com:8443",
        "https://[2001:db8::1]",
    ):
        assert origin_problem(origin, development=False) is None
    for origin in LOOPBACK:
        assert origin_problem(origin, development=True) is None
        assert origin_problem(origin, development=False) is not None
