"""Hostile input is the client's error, never an outage: a NUL character — stored by SQLite,
refused by PostgreSQL with SQLSTATE 22021 — used to reach the database and come back as
`503 temporarily_unavailable` with `Retry-After`, so anyone, unauthenticated, could make the
service report its database down (found by tests/fuzz on PostgreSQL). Limits themselves:
tests/ops/test_bounds.py; docs/security.md lists them."""

from __future__ import annotations

from httpx import AsyncClient, Response

from tests.factories import Factory


def _not_an_outage(response: Response) -> None:
    """A 4xx (or, where SQLite just finds nothing, a 2xx): never 5xx, never `Retry-After`."""
    assert response.status_code < 500, (response.request.url, response.text)
    assert "retry-after" not in response.headers
    assert "temporarily_unavailable" not in response.text


async def test_a_nul_character_is_a_client_error_never_a_database_outage(
    client: AsyncClient, factory: Factory
) -> None:
    seller, main = await factory.seller()
    headers = await factory.headers(main)
    _not_an_outage(await client.get("/v1/grants", params={"service_id": "a\x00b"}, headers=headers))
    _not_an_outage(await client.get("/v1/grants/grt_%00", headers=headers))
    _not_an_outage(
        await client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials", "client_id": "cli\x00", "client_secret": "x"},
        )
    )
    _not_an_outage(await client.post("/dev/identity-tokens", json={"account_id": "acc\x00"}))
    _not_an_outage(await client.get("/open/authorize", params={"client_id": "cli\x00"}))
    _not_an_outage(
        await client.post(
            "/v1/authorization-links", json={"service_id": "svc\x00"}, headers=headers
        )
    )
    assert seller.id
