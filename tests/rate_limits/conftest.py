"""An app with tight attempt budgets beside the test's ordinary app, on the same connection.

The ordinary app (``client``, ``factory``) builds the data and signs identity tokens with its
default budgets; the tight one takes the bursts. Both use the same identity secret, so the
factory's tokens work on either.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tests.conftest import asgi_client, rollback_app
from tsp_auth.config import Settings
from tsp_auth.kit.rate_limits import RATE_LIMITED

Limited = Callable[..., AbstractAsyncContextManager[AsyncClient]]
WINDOW = "2 seconds"


@pytest.fixture
def limited(settings: Settings, engine: AsyncEngine, connection: AsyncConnection) -> Limited:
    """``limited(per_account="3 per 2 seconds")``: a client of a fresh app with those budgets."""

    @asynccontextmanager
    async def make(**budgets: str) -> AsyncIterator[AsyncClient]:
        update = {f"rate_limit_{name}": value for name, value in budgets.items()}
        app: FastAPI = rollback_app(settings.model_copy(update=update), engine, connection)
        async with asgi_client(app) as client:
            yield client

    return make


def refused_count(endpoint: str) -> float:
    value: float = RATE_LIMITED.labels(endpoint)._value.get()
    return value


def assert_rate_limited(response: Response, window_seconds: int = 2) -> int:
    """429 in the one error shape, never cached, with a Retry-After within the window."""
    assert response.status_code == 429, response.text
    body = response.json()
    assert body["error"] == "rate_limited"
    # /oauth answers RFC 6749 bodies, everything else problem details (docs/api.md).
    assert "too many attempts" in body.get("error_description", body.get("detail", ""))
    assert body["request_id"] == response.headers["x-request-id"]
    assert response.headers["cache-control"] == "no-store"
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= window_seconds
    return retry_after
