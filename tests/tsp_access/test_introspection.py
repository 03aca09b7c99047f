"""``introspect_tsp_token``: what the introspection endpoint answers for our credentials."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.factories import Factory
from tests.tsp_access.helpers import World, login_token, redeem
from tsp_auth.clients.credentials import hash_secret
from tsp_auth.clock import now
from tsp_auth.models import Client
from tsp_auth.models.base import new_id
from tsp_auth.tsp_access.introspection import introspect_tsp_token


async def _introspect(factory: Factory, token: str) -> dict[str, Any] | None:
    state = factory.app.state
    return await introspect_tsp_token(state.sessionmaker, state.keyring, state.settings, token)


async def test_login_tokens_and_sessions_introspect_with_act(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    token = await login_token(factory, world.admin, world.seller.id)
    act = {"sub": world.admin.id, "partner": world.partner.id}
    answer = await _introspect(factory, token)
    assert answer is not None and answer["active"] is True
    assert (answer["sub"], answer["act"], answer["token_type"]) == (
        world.seller.id,
        act,
        "tsp-login+jwt",
    )
    session = (await redeem(client, token)).json()["session_token"]
    assert await _introspect(factory, token) == {"active": False}  # redeemed: used up
    answer = await _introspect(factory, session)
    assert answer is not None and answer["active"] is True
    assert (answer["sub"], answer["act"], answer["gv"]) == (world.seller.id, act, 1)
    await client.post(
        f"/v1/grants/{world.grant.id}/cancel", headers=await factory.headers(world.main)
    )
    assert await _introspect(factory, session) == {"active": False}


async def test_tokens_that_are_not_ours_are_left_to_other_introspectors(
    factory: Factory, world: World
) -> None:
    identity = (await factory.headers(world.admin))["Authorization"].split()[1]
    assert await _introspect(factory, identity) is None
    assert await _introspect(factory, "opaque-and-unknown") is None


async def test_the_introspection_endpoint_answers_first_party_clients_with_act(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    secret = "first-party-secret"
    console = Client(
        id=new_id("cli"),
        partner_id=None,
        service_id=None,
        name="seller console",
        client_type="first_party",
        secret_hash=hash_secret(secret),
        redirect_uris=[],
        scopes=frozenset({"tsp.introspect"}),
        status="live",
        created_at=now(),
    )
    async with factory.app.state.sessionmaker() as session:
        session.add(console)
        await session.commit()
    token = await login_token(factory, world.admin, world.seller.id)
    session_token = (await redeem(client, token)).json()["session_token"]
    fresh = await login_token(factory, world.admin, world.seller.id)
    for credential, hint in (
        (fresh, "login_token"),
        (session_token, "session_token"),
        (session_token, None),
    ):
        response = await client.post(
            "/oauth/introspect",
            data={"token": credential, **({"token_type_hint": hint} if hint else {})},
            auth=(console.id, secret),
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["active"] is True and body["sub"] == world.seller.id
        assert body["act"] == {"sub": world.admin.id, "partner": world.partner.id}
