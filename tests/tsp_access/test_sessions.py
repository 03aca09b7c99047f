"""`POST /v1/tsp-access/sessions`: the seller console redeems a login token once."""

from __future__ import annotations

from datetime import timedelta

from httpx import AsyncClient
from sqlalchemy import update

from tests.factories import Factory
from tests.tsp_access.helpers import (
    World,
    audit_events,
    console_session,
    decide,
    login_token,
    redeem,
    session_token,
)
from tsp_auth.clock import now
from tsp_auth.models import LoginToken


async def test_redeeming_gives_a_session_acting_as_the_seller(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    token = await login_token(factory, world.admin, world.seller.id, browser_profile="chrome-1")
    response = await redeem(client, token)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["seller_id"], body["acting_as"]) == (world.seller.id, world.seller.id)
    assert body["act"] == {"sub": world.admin.id, "partner": world.partner.id}
    assert body["roles"] == ["affiliate_center", "orders", "products"]
    assert body["browser_profile"] == "chrome-1" and body["token_type"] == "Bearer"
    stored = await console_session(factory, body["session_id"])
    assert stored.token_hash != body["session_token"] and len(stored.token_hash) == 64
    assert stored.grant_version == 1 and stored.expires_at <= now() + timedelta(hours=8)
    [started] = await audit_events(factory, "session.started")
    assert (started.actor_id, started.on_behalf_of) == (world.admin.id, world.seller.id)
    assert body["session_token"] not in str(started.detail)


async def test_a_login_token_is_redeemed_once(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    token = await login_token(factory, world.admin, world.seller.id)
    assert (await redeem(client, token)).status_code == 201
    again = await redeem(client, token)
    assert (again.status_code, again.json()["error"]) == (409, "login_token_used")
    denied = [e for e in await audit_events(factory, "session.started") if e.outcome == "denied"]
    assert [e.reason for e in denied] == ["login_token_used"]


async def test_an_expired_login_token_is_refused(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    token = await login_token(factory, world.admin, world.seller.id)
    async with factory.app.state.sessionmaker() as session:
        await session.execute(update(LoginToken).values(expires_at=now() - timedelta(seconds=1)))
        await session.commit()
    response = await redeem(client, token)
    assert (response.status_code, response.json()["error"]) == (400, "login_token_expired")


async def test_tokens_are_not_interchangeable(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    token = await login_token(factory, world.admin, world.seller.id)
    # A login token is no session token: not for decisions, not for logout.
    answer = await decide(client, token, "seller_center.orders", world.seller.id)
    assert (answer["allow"], answer["reason"], answer["actor"]) == (False, "invalid_session", None)
    logout = await client.delete(
        "/v1/tsp-access/sessions/current", headers={"Authorization": f"Bearer {token}"}
    )
    assert (logout.status_code, logout.json()["error"]) == (401, "invalid_session")
    # ... and a session token is no login token; nor is an identity token.
    session = (await redeem(client, token)).json()["session_token"]
    identity = (await factory.headers(world.admin))["Authorization"].split()[1]
    for other in (session, identity):
        response = await redeem(client, other)
        assert (response.status_code, response.json()["error"]) == (400, "invalid_login_token")


async def test_the_same_browser_profile_holds_one_session(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    """seed 000 FAQ: one identity per Chrome profile; a new login replaces the old one, even
    for another seller (switching sellers)."""
    other, _ = await factory.seller("UK")
    await factory.grant(other, world.service)
    first = await session_token(factory, world.admin, world.seller.id, browser_profile="p1")
    elsewhere = await session_token(factory, world.admin, world.seller.id, browser_profile="p2")
    second = await session_token(factory, world.admin, other.id, browser_profile="p1")
    old = await decide(client, first, "seller_center.orders", world.seller.id)
    assert (old["allow"], old["reason"]) == (False, "session_ended")
    assert (await decide(client, second, "seller_center.orders", other.id))["allow"]
    assert (await decide(client, elsewhere, "seller_center.orders", world.seller.id))["allow"]
    ended = [e for e in await audit_events(factory, "session.ended")]
    assert [e.detail["end_reason"] for e in ended] == ["replaced"]


async def test_the_console_may_not_move_a_login_to_another_profile(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    token = await login_token(factory, world.admin, world.seller.id, browser_profile="p1")
    response = await redeem(client, token, browser_profile="p2")
    assert (response.status_code, response.json()["error"]) == (400, "browser_profile_mismatch")
    assert (await redeem(client, token, browser_profile="p1")).status_code == 201


async def test_logout_ends_the_session(client: AsyncClient, factory: Factory, world: World) -> None:
    token = await session_token(factory, world.admin, world.seller.id)
    bearer = {"Authorization": f"Bearer {token}"}
    assert (
        await client.delete("/v1/tsp-access/sessions/current", headers=bearer)
    ).status_code == 204
    answer = await decide(client, token, "seller_center.orders", world.seller.id)
    assert (answer["allow"], answer["reason"]) == (False, "session_ended")
    # Ending an ended session is a no-op; no token at all is 401.
    assert (
        await client.delete("/v1/tsp-access/sessions/current", headers=bearer)
    ).status_code == 204
    assert (await client.delete("/v1/tsp-access/sessions/current")).status_code == 401
    [ended] = await audit_events(factory, "session.ended")
    assert ended.detail["end_reason"] == "logout"


async def test_a_cancelled_grant_kills_unredeemed_login_tokens(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    token = await login_token(factory, world.admin, world.seller.id)
    cancel = await client.post(
        f"/v1/grants/{world.grant.id}/cancel", headers=await factory.headers(world.main)
    )
    assert cancel.status_code == 200
    response = await redeem(client, token)
    assert (response.status_code, response.json()["error"]) == (403, "grant_not_active")


async def test_an_edited_grant_kills_unredeemed_login_tokens(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    token = await login_token(factory, world.admin, world.seller.id)
    edit = await client.patch(
        f"/v1/grants/{world.grant.id}",
        json={"roles": ["products"]},
        headers=await factory.headers(world.main),
    )
    assert edit.status_code == 200, edit.text
    response = await redeem(client, token)
    assert (response.status_code, response.json()["error"]) == (409, "grant_changed")


async def test_an_assignment_removed_after_login_refuses_the_session(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    assignment = await factory.assignment(world.member, world.seller)
    token = await login_token(factory, world.member, world.seller.id)
    removed = await client.delete(
        f"/v1/assignments/{assignment.id}", headers=await factory.headers(world.admin)
    )
    assert removed.status_code == 204
    response = await redeem(client, token)
    assert (response.status_code, response.json()["error"]) == (403, "not_assigned")


async def test_a_session_never_outlives_its_grant(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    seller, _ = await factory.seller("UK")
    soon = now() + timedelta(hours=1)
    await factory.grant(seller, world.service, expires_at=soon)
    body = (await redeem(client, await login_token(factory, world.admin, seller.id))).json()
    assert (await console_session(factory, body["session_id"])).expires_at == soon
