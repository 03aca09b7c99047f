"""An app whose link hosts are configured (``TSP_AUTH_HOST_US`` / ``_ROW``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tests.conftest import asgi_client, rollback_app
from tests.factories import Factory
from tsp_auth.config import Settings


@pytest.fixture
def configured_app(settings: Settings, engine: AsyncEngine, connection: AsyncConnection) -> FastAPI:
    hosts = {"host_us": "partner.us.example.com", "host_row": "partner.example.com"}
    return rollback_app(settings.model_copy(update=hosts), engine, connection)


@pytest.fixture
async def configured_client(configured_app: FastAPI) -> AsyncIterator[AsyncClient]:
    async with asgi_client(configured_app) as client:
        yield client


@pytest.fixture
def configured_factory(configured_app: FastAPI, configured_client: AsyncClient) -> Factory:
    return Factory(configured_app, configured_client)
