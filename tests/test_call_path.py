"""A decision goes down the layers: its call path enters each module once and never calls a
module of a higher layer (docs/architecture.md, "The call path of a decision"). So does the
token endpoint's client_credentials grant. ``tests/call_path.py`` says what is counted."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.call_path import CallPath, call_path, layer_of
from tests.coherence.processes import lifespan_runtime
from tests.factories import Factory
from tests.tsp_access.helpers import make_world, session_token
from tsp_auth.coherence.runtime import Runtime
from tsp_auth.config import Settings
from tsp_auth.decisions.router import decide
from tsp_auth.oauth.router import issue_token

ORDERS = "seller_center.orders"


@pytest.fixture
async def caching(settings: Settings, engine: AsyncEngine) -> AsyncIterator[Runtime]:
    """The process's cache as the lifespan starts it (tests/coherence/test_in_process.py)."""
    async with lifespan_runtime(settings, engine) as runtime:
        yield runtime


async def _decision_path(client: AsyncClient, token: str, shop_id: str) -> CallPath:
    body = {"token": token, "action": ORDERS, "shop_id": shop_id}
    with call_path(decide) as path:
        response = await client.post("/v1/decisions", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["allow"] is True
    return path


def _goes_down(*paths: CallPath) -> None:
    counts = [(len(path.climbs), len(path.returns)) for path in paths]
    assert counts == [(0, 0)] * len(paths), "\n".join(path.describe() for path in paths)


async def test_a_decision_goes_down_the_layers_on_a_miss_and_on_a_hit(
    caching: Runtime, committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    factory = Factory(committed_app, committed_client)
    world = await make_world(factory)
    token = await session_token(factory, world.admin, world.seller.id)

    miss = await _decision_path(committed_client, token, world.seller.id)
    hit = await _decision_path(committed_client, token, world.seller.id)

    # The scan sees the path: the router, the service, the read of what is in force, the
    # database on the miss only, and the policy's rule on both.
    assert miss.modules[0] == "tsp_auth.decisions.router"
    for path in (miss, hit):
        assert {
            "tsp_auth.decisions.service",
            "tsp_auth.live.session_state",
            "tsp_auth.policy.grant_use",
        } <= set(path.modules)
    assert "tsp_auth.db.batched" in miss.modules
    assert "tsp_auth.db.batched" not in hit.modules
    _goes_down(miss, hit)


async def test_a_decision_without_a_cache_goes_down_the_layers(
    client: AsyncClient, factory: Factory
) -> None:
    world = await make_world(factory)
    token = await session_token(factory, world.admin, world.seller.id)

    path = await _decision_path(client, token, world.seller.id)

    assert "tsp_auth.db.direct" in path.modules
    _goes_down(path)


async def test_the_token_endpoint_goes_down_the_layers_on_a_miss_and_on_a_hit(
    caching: Runtime, committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    factory = Factory(committed_app, committed_client)
    first_party, secret = await factory.oauth_client(
        client_type="first_party", scopes=["tsp.decisions"]
    )
    form = {"grant_type": "client_credentials", "scope": "tsp.decisions"}
    paths = []
    for _ in ("miss", "hit"):
        with call_path(issue_token) as path:
            response = await committed_client.post(
                "/oauth/token", data=form, auth=(first_party.id, secret or "")
            )
        assert response.status_code == 200, response.text
        paths.append(path)

    miss, hit = paths
    for path in paths:
        assert {"tsp_auth.live.client_state", "tsp_auth.keys.ring"} <= set(path.modules)
    assert "tsp_auth.db.batched" in miss.modules
    assert "tsp_auth.db.batched" not in hit.modules
    _goes_down(miss, hit)


def test_the_layers_come_from_the_import_contract() -> None:
    heights = [
        layer_of(f"tsp_auth.{module}")
        for module in ("policy.grant_use", "db.direct", "live.in_force", "decisions.service")
    ]
    assert heights == [0, 2, 4, 7]  # docs/architecture.md, the table of "Import directions"
    assert layer_of("tsp_auth.__main__") == 11
    assert layer_of("sqlalchemy.orm") is None
