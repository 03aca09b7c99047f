"""An app without the development issuer, built like tests/conftest.py builds ``app``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker

from tests.conftest import wire
from tsp_auth.app import create_app
from tsp_auth.config import Settings


@pytest.fixture
def platform_app(settings: Settings, engine: AsyncEngine, connection: AsyncConnection) -> FastAPI:
    """Sign-in is the platform's: no `/dev/login` to send the seller to."""
    app = create_app(Settings(database_url=settings.database_url, dev_issuer_enabled=False))
    sessionmaker = async_sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    wire(app, engine, sessionmaker)
    return app


@pytest.fixture
async def platform_client(platform_app: FastAPI) -> AsyncIterator[AsyncClient]:
    transport = ASGITransport(app=platform_app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
