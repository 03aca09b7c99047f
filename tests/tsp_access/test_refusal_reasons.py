"""Refusals name what was really refused (issue 15, seed 002): the market before the seller's
choice, the partner-only rule in the words of the call made, a malformed token as malformed."""

from __future__ import annotations

import base64
import json

from httpx import AsyncClient
from sqlalchemy import func, select

from tests.factories import Factory
from tests.tsp_access.helpers import World, audit_events, login, make_world, redeem
from tsp_auth.models import ConsoleSession, LoginToken


async def _count(factory: Factory, model: type[LoginToken] | type[ConsoleSession]) -> int:
    async with factory.app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_us_cross_border_login_is_refused_by_the_market_not_the_seller(
    factory: Factory,
) -> None:
    # What a US-CB consent can hold: seed 002 offers data compass only, no permission roles.
    world = await make_world(factory, market="US-CB", items=("data_compass",), roles=())
    response = await login(factory, world.admin, world.seller.id)
    assert (response.status_code, response.json()["error"]) == (
        403,
        "market_disallows_console_access",
    )
    [event] = await audit_events(factory, "login_token.minted")
    assert (event.outcome, event.reason) == ("denied", "market_disallows_console_access")
    assert await _count(factory, LoginToken) == 0
    listed = await factory.client.get(
        "/v1/tsp-access/sellers", headers=await factory.headers(world.admin)
    )
    [seller] = listed.json()["items"]
    assert seller["grants"][0]["login"] == {
        "allow": False,
        "reason": "market_disallows_console_access",
    }


async def test_a_grant_without_seller_center_access_where_the_market_allows_it_blames_the_grant(
    factory: Factory,
) -> None:
    world = await make_world(factory, market="US-L2L", items=("data_compass",), roles=())
    response = await login(factory, world.admin, world.seller.id)
    assert (response.status_code, response.json()["error"]) == (
        403,
        "seller_center_access_not_granted",
    )


async def test_a_seller_asking_for_a_login_is_told_logins_are_for_partners(
    factory: Factory, world: World
) -> None:
    response = await login(factory, world.main, world.seller.id)
    body = response.json()
    assert (response.status_code, body["error"]) == (403, "partner_account_required")
    assert body["detail"] == "only a partner's accounts may log into a seller's console"
    assert "link" not in body["detail"]
    listed = await factory.client.get(
        "/v1/tsp-access/sellers", headers=await factory.headers(world.main)
    )
    assert listed.status_code == 403
    assert "link" not in listed.json()["detail"]
    assert await _count(factory, LoginToken) == 0


def _unsigned(claims: dict[str, object]) -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'ES256', 'typ': 'tsp-login+jwt'})}.{part(claims)}.c2ln"


async def test_a_malformed_login_token_is_called_malformed(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    for token in ("not-a-jwt", "a.b", "e30.bm90IGpzb24.c2ln"):
        response = await redeem(client, token)
        body = response.json()
        assert (response.status_code, body["error"]) == (400, "invalid_login_token"), token
        assert body["detail"] == "login token refused: malformed_token", token
    # A well-formed token for someone else's audience keeps its own reason.
    response = await redeem(client, _unsigned({"aud": "https://elsewhere.example"}))
    assert response.json()["detail"] == "login token refused: wrong_audience"
    assert await _count(factory, ConsoleSession) == 0
