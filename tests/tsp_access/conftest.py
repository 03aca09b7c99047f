from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker

from tests.conftest import wire
from tests.factories import Factory
from tests.tsp_access.helpers import World, make_world
from tsp_auth.app import create_app
from tsp_auth.config import Settings

SEA_LAUNCH = date(2026, 1, 1)


@pytest.fixture
async def world(factory: Factory) -> World:
    return await make_world(factory)


@pytest.fixture
def sea_app(settings: Settings, engine: AsyncEngine, connection: AsyncConnection) -> FastAPI:
    """An app whose settings launch SEA, built like tests/conftest.py builds ``app``."""
    app = create_app(settings.model_copy(update={"sea_launch_date": SEA_LAUNCH}))
    sessionmaker = async_sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    wire(app, engine, sessionmaker)
    return app


@pytest.fixture
async def sea_client(sea_app: FastAPI) -> AsyncIterator[AsyncClient]:
    transport = ASGITransport(app=sea_app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def sea_factory(sea_app: FastAPI, sea_client: AsyncClient) -> Factory:
    return Factory(sea_app, sea_client)
