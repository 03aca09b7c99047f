"""`HEAD /health` and `HEAD /ready` for load balancer probes; `/metrics` behind
TSP_AUTH_METRICS_TOKEN when it is set (issue 13 item 10, docs/operations.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from pydantic import SecretStr, ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tests.conftest import asgi_client, rollback_app
from tests.ops.test_health_ready import _client_for
from tsp_auth.config import Settings

METRICS_TOKEN = "metrics-scraper-token-0123456789"


@pytest.fixture
async def restricted(
    settings: Settings, engine: AsyncEngine, connection: AsyncConnection
) -> AsyncIterator[AsyncClient]:
    locked = settings.model_copy(update={"metrics_token": SecretStr(METRICS_TOKEN)})
    app: FastAPI = rollback_app(locked, engine, connection)
    async with asgi_client(app) as client:
        yield client


@pytest.mark.parametrize("path", ["/health", "/ready"])
async def test_head_probes_answer_200_without_a_body(client: AsyncClient, path: str) -> None:
    response = await client.head(path)
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers.get("content-length") == "0"


async def test_head_ready_is_503_when_the_database_is_unreachable() -> None:
    settings = Settings(
        database_url="postgresql+asyncpg://postgres@127.0.0.1:1/none",
        database_timeout_seconds=2,
        retry_after_seconds=7,
    )
    client, engine = await _client_for(settings)
    async with client:
        response = await client.head("/ready")
    await engine.dispose()  # type: ignore[attr-defined]
    assert response.status_code == 503
    assert response.headers["retry-after"] == "7"


async def test_metrics_are_open_when_no_token_is_set(client: AsyncClient) -> None:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert "tsp_auth" in response.text


@pytest.mark.parametrize(
    ("headers", "error"),
    [
        ({}, "unauthorized"),
        ({"authorization": "Bearer wrong-token-0123456789abcdef"}, "invalid_token"),
        ({"authorization": f"Bearer {METRICS_TOKEN}x"}, "invalid_token"),
        ({"authorization": f"Basic {METRICS_TOKEN}"}, "unauthorized"),
    ],
)
async def test_metrics_refuse_a_missing_or_wrong_token(
    restricted: AsyncClient, headers: dict[str, str], error: str
) -> None:
    response = await restricted.get("/metrics", headers=headers)

    assert response.status_code == 401, response.text
    body = response.json()
    assert body["error"] == error
    assert response.headers["www-authenticate"].startswith('Bearer realm="tsp-auth metrics"')
    assert "tsp_auth_" not in response.text and METRICS_TOKEN not in response.text


async def test_metrics_answer_with_the_token(restricted: AsyncClient) -> None:
    response = await restricted.get(
        "/metrics", headers={"authorization": f"Bearer {METRICS_TOKEN}"}
    )
    assert response.status_code == 200
    assert "tsp_auth_" in response.text
    # The probes stay open: a load balancer has no token.
    assert (await restricted.get("/health")).status_code == 200


def test_a_short_metrics_token_is_refused() -> None:
    with pytest.raises(ValidationError, match="metrics_token"):
        Settings(metrics_token="short")
