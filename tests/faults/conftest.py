"""Fault injection, one connection at a time: the shared PostgreSQL server is never stopped.

PostgreSQL-only modules are named ``test_postgres_*.py`` and are not collected without
TSP_AUTH_TEST_DATABASE_URL (CI always sets it); inside, they are parametrised on the
``postgresql`` backend only, so they never run, or skip, on SQLite.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import PG_URL, _empty_tables, wire
from tests.faults.proxy import TcpProxy
from tsp_auth.app import create_app
from tsp_auth.config import Settings
from tsp_auth.db import create_engine, create_sessionmaker

collect_ignore_glob = [] if PG_URL else ["test_postgres_*.py"]

RETRY_AFTER = 3

MakeApp = Callable[..., Awaitable[tuple[FastAPI, AsyncClient]]]


@pytest.fixture
async def make_app(settings: Settings, engine: AsyncEngine) -> AsyncIterator[MakeApp]:
    """Apps with their own engine and real commits, as ``tsp-auth serve`` builds them, with
    settings overridden per call; every table is emptied afterwards."""
    async with AsyncExitStack() as stack:

        async def make(**overrides: Any) -> tuple[FastAPI, AsyncClient]:
            update = {"retry_after_seconds": RETRY_AFTER, **overrides}
            app_settings = settings.model_copy(update=update)
            app = create_app(app_settings)
            own_engine = create_engine(app_settings)
            stack.push_async_callback(own_engine.dispose)
            wire(app, own_engine, create_sessionmaker(own_engine))
            transport = ASGITransport(app=app, raise_app_exceptions=False)
            client = AsyncClient(transport=transport, base_url="http://testserver")
            return app, await stack.enter_async_context(client)

        try:
            yield make
        finally:
            await stack.aclose()
            await _empty_tables(engine)


@pytest.fixture
async def proxy() -> AsyncIterator[TcpProxy]:
    assert PG_URL is not None
    url = make_url(PG_URL)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.open()
    try:
        yield proxy
    finally:
        await proxy.close()


def proxied_url(proxy: TcpProxy) -> str:
    assert PG_URL is not None
    return make_url(PG_URL).set(port=proxy.port).render_as_string(hide_password=False)


def assert_unavailable(response: Response) -> None:
    """503 with Retry-After and the one error shape: never a 500, never ``invalid_grant``."""
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == str(RETRY_AFTER)
    body = response.json()
    oauth = {"error", "error_description", "request_id"}
    problem = {"type", "title", "status", "detail", "instance", "error", "request_id"}
    assert set(body) in (oauth, problem), body
    assert body["error"] in {"temporarily_unavailable", "not_ready"}, body
