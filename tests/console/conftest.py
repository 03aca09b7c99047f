"""An app with the local seller console mounted (``TSP_AUTH_LOCAL_CONSOLE``), on the test's
rolled-back connection like ``app``."""

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
def console_app(settings: Settings, engine: AsyncEngine, connection: AsyncConnection) -> FastAPI:
    return rollback_app(settings.model_copy(update={"local_console": True}), engine, connection)


@pytest.fixture
async def console_client(console_app: FastAPI) -> AsyncIterator[AsyncClient]:
    async with asgi_client(console_app) as client:
        yield client


@pytest.fixture
def console_factory(console_app: FastAPI, console_client: AsyncClient) -> Factory:
    return Factory(console_app, console_client)
