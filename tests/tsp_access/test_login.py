"""`POST /v1/tsp-access/login`: who may log in, with which grant, and what the token says."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import jwt
import pytest
from httpx import AsyncClient

from tests.factories import Factory
from tests.tsp_access.helpers import World, audit_events, login, login_token, make_world
from tsp_auth.clock import now


async def test_the_login_token_verifies_with_pyjwt_through_the_jwks_and_carries_act(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    response = await login(factory, world.member, world.seller.id)
    assert response.status_code == 403  # not assigned yet
    await factory.assignment(world.member, world.seller)
    response = await login(factory, world.member, world.seller.id)
    assert response.status_code == 200, response.text
    body = response.json()
    token = body["login_token"]
    header = jwt.get_unverified_header(token)
    assert (header["alg"], header["typ"]) == ("ES256", "tsp-login+jwt")
    jwks = (await client.get("/.well-known/jwks.json")).json()
    entry = next(key for key in jwks["keys"] if key["kid"] == header["kid"])
    claims = jwt.decode(
        token,
        jwt.PyJWK(entry).key,
        algorithms=["ES256"],
        audience="https://seller.tiktokshop.com",
        issuer=factory.app.state.settings.issuer,
        options={"require": ["exp", "iat", "iss", "aud", "sub", "jti"]},
    )
    assert claims["sub"] == world.seller.id
    assert claims["act"] == {"sub": world.member.id, "partner": world.partner.id}
    assert claims["roles"] == ["affiliate_center", "orders", "products"]
    assert (claims["grant_id"], claims["gv"]) == (world.grant.id, 1)
    assert 0 < claims["exp"] - claims["iat"] <= 300
    assert body["expires_in"] == 300
    assert body["act"] == claims["act"] and body["roles"] == claims["roles"]
    minted = await audit_events(factory, "login_token.minted")
    assert [(e.outcome, e.actor_id, e.on_behalf_of) for e in minted] == [
        ("denied", world.member.id, world.seller.id),
        ("success", world.member.id, world.seller.id),
    ]
    assert token not in str(minted[1].detail)


@pytest.mark.parametrize(
    ("market", "host"),
    [("UK", "seller.tiktokshop.com"), ("US-L2L", "seller-us.tiktokshop.com")],
)
async def test_the_login_url_is_the_markets_console_with_no_token_in_the_query(
    factory: Factory, market: str, host: str
) -> None:
    world = await make_world(factory, market=market)
    body = (await login(factory, world.admin, world.seller.id)).json()
    url = urlsplit(body["login_url"])
    assert (url.scheme, url.netloc, url.path) == ("https", host, "/tsp-access/login")
    assert url.query == "" and url.fragment == ""
    assert body["login_token"] not in body["login_url"]
    assert jwt.decode(body["login_token"], options={"verify_signature": False})["aud"] == (
        f"https://{host}"
    )


async def test_a_member_not_assigned_is_refused_and_the_refusal_is_audited(
    factory: Factory, world: World
) -> None:
    response = await login(factory, world.member, world.seller.id)
    assert (response.status_code, response.json()["error"]) == (403, "not_assigned")
    [event] = await audit_events(factory, "login_token.minted")
    assert (event.outcome, event.reason, event.partner_id) == (
        "denied",
        "not_assigned",
        world.partner.id,
    )


async def test_a_member_assigned_a_subset_of_roles_gets_only_those(
    factory: Factory, world: World
) -> None:
    await factory.assignment(world.member, world.seller, roles=["products", "finance"])
    body = (await login(factory, world.member, world.seller.id)).json()
    # finance is not in the grant: the assignment narrows the grant, never widens it.
    assert body["roles"] == ["products"]


async def test_admins_need_no_assignment(factory: Factory, world: World) -> None:
    body = (await login(factory, world.admin, world.seller.id)).json()
    assert body["roles"] == ["affiliate_center", "orders", "products"]
    assert body["act"] == {"sub": world.admin.id, "partner": world.partner.id}


async def test_only_partner_accounts_log_in(factory: Factory, world: World) -> None:
    for account in (world.main, await factory.operator()):
        response = await login(factory, account, world.seller.id)
        assert (response.status_code, response.json()["error"]) == (
            403,
            "partner_account_required",
        )


async def test_a_seller_without_a_grant_to_the_partner_does_not_exist_for_it(
    factory: Factory, world: World
) -> None:
    stranger = await factory.account("partner", "admin", partner_id=(await factory.partner()).id)
    other_seller, _ = await factory.seller("UK")
    for account, seller_id in (
        (stranger, world.seller.id),
        (world.admin, other_seller.id),
        (world.admin, "slr_missing"),
    ):
        response = await login(factory, account, seller_id)
        assert (response.status_code, response.json()["error"]) == (404, "not_found")


@pytest.mark.parametrize(
    ("market", "allowed"),
    [("US-L2L", True), ("US-CB", False), ("UK", True), ("DE", True), ("JP", False), ("ID", False)],
)
async def test_the_market_decides_console_login(
    factory: Factory, market: str, allowed: bool
) -> None:
    world = await make_world(factory, market=market)
    response = await login(factory, world.admin, world.seller.id)
    if allowed:
        assert response.status_code == 200, response.text
    else:
        assert (response.status_code, response.json()["error"]) == (
            403,
            "market_disallows_console_access",
        )


async def test_sea_logs_in_once_launched(sea_factory: Factory) -> None:
    world = await make_world(sea_factory, market="ID")
    response = await login(sea_factory, world.admin, world.seller.id)
    assert response.status_code == 200, response.text


async def test_each_grant_refusal_has_its_reason(factory: Factory, world: World) -> None:
    cases = {
        "seller_center_access_not_granted": {"items": ("data_compass",), "roles": ()},
        "grant_expired": {"expires_at": now() - timedelta(minutes=1)},
        "grant_not_active": {"status": "deactivated"},
    }
    for reason, options in cases.items():
        seller, _ = await factory.seller("UK")
        await factory.grant(seller, world.service, **options)  # type: ignore[arg-type]
        response = await login(factory, world.admin, seller.id)
        assert (response.status_code, response.json()["error"]) == (403, reason)
    invalid = await factory.service(world.partner, valid=False)
    seller, _ = await factory.seller("UK")
    await factory.grant(seller, invalid)
    response = await login(factory, world.admin, seller.id)
    assert (response.status_code, response.json()["error"]) == (403, "service_not_valid")


async def test_several_grants_that_allow_login_need_a_service_id(
    factory: Factory, world: World
) -> None:
    second = await factory.service(world.partner)
    await factory.grant(world.seller, second, roles=("finance",))
    response = await login(factory, world.admin, world.seller.id)
    assert (response.status_code, response.json()["error"]) == (400, "service_id_required")
    chosen = await login(factory, world.admin, world.seller.id, service_id=second.id)
    assert chosen.status_code == 200 and chosen.json()["roles"] == ["finance"]


async def test_a_grant_that_does_not_allow_login_is_skipped(factory: Factory, world: World) -> None:
    compass_only = await factory.service(world.partner)
    await factory.grant(world.seller, compass_only, items=("data_compass",), roles=())
    body = (await login(factory, world.admin, world.seller.id)).json()
    assert body["grant_id"] == world.grant.id


async def test_switching_sellers_is_one_call(factory: Factory, world: World) -> None:
    other, _ = await factory.seller("DE")
    await factory.grant(other, world.service)
    first = await login_token(factory, world.admin, world.seller.id)
    second = await login_token(factory, world.admin, other.id)
    subjects = [jwt.decode(t, options={"verify_signature": False})["sub"] for t in (first, second)]
    assert subjects == [world.seller.id, other.id]
