"""Two real ``tsp-auth serve`` processes on the session's migrated PostgreSQL database.

PostgreSQL only (SQLite is one process's embedded database): without
TSP_AUTH_TEST_DATABASE_URL nothing here is collected; with it (always in CI), the tests are
parametrised on the ``postgresql`` backend only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Limits
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import PG_URL, _empty_tables, wire
from tests.factories import Factory
from tests.multiprocess.servers import Server, serve_two, server_env
from tsp_auth.app import create_app
from tsp_auth.config import Settings
from tsp_auth.db import create_sessionmaker

collect_ignore_glob = [] if PG_URL else ["test_*.py"]


@dataclass
class Cluster:
    a: AsyncClient
    b: AsyncClient
    servers: tuple[Server, Server]
    env: dict[str, str]
    local: AsyncClient  # an in-process app on the same database: a third, freshly started process
    factory: Factory  # rows committed to the database; identity tokens from process A


@pytest.fixture(scope="module")
async def emptied_after(engine: AsyncEngine) -> AsyncIterator[None]:
    """Every table emptied once the servers have stopped (they commit for real)."""
    try:
        yield
    finally:
        await _empty_tables(engine)


@pytest.fixture(scope="module")
def servers(
    settings: Settings, emptied_after: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[tuple[Server, Server], dict[str, str]]]:
    assert PG_URL is not None
    env = server_env(PG_URL, settings.issuer)
    with serve_two(env, tmp_path_factory.mktemp("servers")) as pair:
        yield pair, env


@pytest.fixture(scope="module")
async def cluster(
    servers: tuple[tuple[Server, Server], dict[str, str]], settings: Settings, engine: AsyncEngine
) -> AsyncIterator[Cluster]:
    (a, b), env = servers
    local_app: FastAPI = create_app(settings)
    wire(local_app, engine, create_sessionmaker(engine))
    transport = ASGITransport(app=local_app, raise_app_exceptions=False)
    # A connection per request: uvicorn closes keep-alive connections idle for 5 s, and a
    # request sent on one just as it closes fails with ReadError (seen after the tests' waits).
    fresh = Limits(max_keepalive_connections=0)
    async with (
        AsyncClient(base_url=a.url, timeout=30, limits=fresh) as http_a,
        AsyncClient(base_url=b.url, timeout=30, limits=fresh) as http_b,
        AsyncClient(transport=transport, base_url="http://testserver") as local,
    ):
        yield Cluster(http_a, http_b, (a, b), env, local, Factory(local_app, http_a))
