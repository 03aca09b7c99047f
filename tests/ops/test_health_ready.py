from __future__ import annotations

from pathlib import Path

from httpx import ASGITransport, AsyncClient

from tests.conftest import wire
from tsp_auth.app import create_app
from tsp_auth.config import Settings
from tsp_auth.db import create_engine, create_sessionmaker
from tsp_auth.db.migrations import head_revisions


async def test_health_answers_without_a_database(client: AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_reports_the_head_revision(client: AsyncClient) -> None:
    response = await client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "revision": sorted(head_revisions())}


async def _client_for(settings: Settings) -> tuple[AsyncClient, object]:
    app = create_app(settings)
    engine = create_engine(settings)
    wire(app, engine, create_sessionmaker(engine))
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    return AsyncClient(transport=transport, base_url="http://testserver"), engine


async def test_ready_is_503_with_retry_after_when_the_database_is_unreachable() -> None:
    # Port 1 on loopback: nothing listens, the connection is refused at once.
    settings = Settings(
        database_url="postgresql+asyncpg://postgres@127.0.0.1:1/none",
        database_timeout_seconds=2,
        retry_after_seconds=7,
    )
    client, engine = await _client_for(settings)
    async with client:
        ready = await client.get("/ready")
        health = await client.get("/health")
    await engine.dispose()  # type: ignore[attr-defined]
    assert ready.status_code == 503
    assert ready.headers["retry-after"] == "7"
    body = ready.json()
    assert body["error"] == "not_ready"
    assert "database unreachable" in body["detail"]
    assert "Traceback" not in ready.text
    assert health.status_code == 200


async def test_ready_is_503_when_migrations_are_not_at_head(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    client, engine = await _client_for(settings)
    async with client:
        response = await client.get("/ready")
    await engine.dispose()  # type: ignore[attr-defined]
    assert response.status_code == 503
    assert response.json()["error"] == "not_ready"
    assert "migrations not at head" in response.json()["detail"]
