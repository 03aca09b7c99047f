"""TSP access on a grant whose time is up before the expiry sweep marked it (status still
``active``), on a service invalidated before its grants were deactivated, and for a member
whose assignment leaves no usable role: each use of the grant is refused at once, with the
reason a console can show (DESIGN §2)."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient
from sqlalchemy import func, select

from tests.consent.helpers import set_row
from tests.factories import Factory
from tests.tsp_access.helpers import World, decide, login, login_token, redeem, session_token
from tsp_auth.clock import now
from tsp_auth.models import ConsoleSession, Grant, Service


async def _time_up(factory: Factory, world: World) -> None:
    await set_row(factory.app, Grant, world.grant.id, expires_at=now())
    async with factory.app.state.sessionmaker() as session:
        grant = await session.get(Grant, world.grant.id)
        assert grant is not None and grant.status == "active"  # no sweep has run


async def _sessions(factory: Factory) -> int:
    async with factory.app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(ConsoleSession)) or 0)


async def _introspect(client: AsyncClient, factory: Factory, token: str) -> dict[str, Any]:
    """As the seller console would ask: a first-party client with ``tsp.introspect``."""
    console, secret = await factory.oauth_client(
        client_type="first_party", redirect_uris=(), scopes=("tsp.introspect",)
    )
    assert secret is not None
    response = await client.post(
        "/oauth/introspect", data={"token": token}, auth=(console.id, secret)
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_login_on_a_grant_whose_time_is_up_is_refused(factory: Factory, world: World) -> None:
    await _time_up(factory, world)
    response = await login(factory, world.admin, world.seller.id)
    assert (response.status_code, response.json()["error"]) == (403, "grant_expired")


async def test_a_login_token_of_a_grant_whose_time_is_up_is_dead(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    token = await login_token(factory, world.admin, world.seller.id)
    assert (await _introspect(client, factory, token))["active"] is True
    await _time_up(factory, world)
    assert await _introspect(client, factory, token) == {"active": False}
    response = await redeem(client, token)
    assert (response.status_code, response.json()["error"]) == (403, "grant_expired")
    assert await _sessions(factory) == 0


async def test_a_session_of_a_grant_whose_time_is_up_is_dead(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    token = await session_token(factory, world.admin, world.seller.id)
    assert (await _introspect(client, factory, token))["active"] is True
    await _time_up(factory, world)
    assert await _introspect(client, factory, token) == {"active": False}
    answer = await decide(client, token, "seller_center.orders", world.seller.id)
    assert (answer["allow"], answer["reason"]) == (False, "grant_expired")


async def test_a_login_token_of_an_invalidated_service_is_refused_before_the_deactivation(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    token = await login_token(factory, world.admin, world.seller.id)
    await set_row(factory.app, Service, world.service.id, valid=False)
    response = await redeem(client, token)
    assert (response.status_code, response.json()["error"]) == (403, "service_not_valid")
    assert await _sessions(factory) == 0


async def test_a_member_whose_assignment_leaves_no_role_of_the_grant_may_not_log_in(
    factory: Factory, world: World
) -> None:
    """The assignment narrows the grant: ``finance`` is not among the grant's roles."""
    await factory.assignment(world.member, world.seller, roles=["finance"])
    response = await login(factory, world.member, world.seller.id)
    assert (response.status_code, response.json()["error"]) == (403, "role_not_granted")
