"""One genuine token of every kind we accept, each minted through HTTP like a real caller's."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pytest
from httpx import AsyncClient

from tests.factories import Factory
from tests.oauth.helpers import App, partner_app, tokens
from tests.tsp_access.helpers import World, login_token, make_world, redeem


@dataclass
class Genuine:
    """Real tokens, and a first-party client that may introspect every kind (RFC 7662 §4)."""

    app: App
    world: World
    access_token: str
    refresh_token: str
    login_token: str
    session_token: str
    identity_token: str
    introspector: dict[str, str]


@pytest.fixture
async def genuine(client: AsyncClient, factory: Factory) -> Genuine:
    app = await partner_app(factory)
    issued = await tokens(client, app)
    world = await make_world(factory)
    session = await redeem(client, await login_token(factory, world.admin, world.seller.id))
    assert session.status_code == 201, session.text
    fresh_login = await login_token(factory, world.admin, world.seller.id)
    identity = (await factory.headers(world.admin))["Authorization"].removeprefix("Bearer ")
    first_party, secret = await factory.oauth_client(
        client_type="first_party", scopes=("tsp.introspect",), redirect_uris=()
    )
    basic = base64.b64encode(f"{first_party.id}:{secret}".encode()).decode()
    return Genuine(
        app=app,
        world=world,
        access_token=issued["access_token"],
        refresh_token=issued["refresh_token"],
        login_token=fresh_login,
        session_token=session.json()["session_token"],
        identity_token=identity,
        introspector={"Authorization": f"Basic {basic}"},
    )
