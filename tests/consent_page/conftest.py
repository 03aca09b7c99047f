"""An app without the development issuer, built like tests/conftest.py builds ``app``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tests.conftest import asgi_client, rollback_app
from tsp_auth.config import Settings


@pytest.fixture
def platform_app(settings: Settings, engine: AsyncEngine, connection: AsyncConnection) -> FastAPI:
    """Sign-in is the platform's: no `/dev/login` to send the seller to."""
    without_dev_issuer = settings.model_copy(update={"dev_issuer_enabled": False})
    return rollback_app(without_dev_issuer, engine, connection)


@pytest.fixture
async def platform_client(platform_app: FastAPI) -> AsyncIterator[AsyncClient]:
    async with asgi_client(platform_app) as client:
        yield client
