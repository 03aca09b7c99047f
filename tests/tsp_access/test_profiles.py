"""Seed 000 FAQ Q1: one browser profile holds either one TSP Access session or one Seller
Center (sub-)account session; switching to another identity needs a logout first."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.factories import Factory
from tests.tsp_access.helpers import (
    World,
    audit_events,
    decide,
    login_token,
    make_world,
    redeem,
)
from tsp_auth.clock import now
from tsp_auth.models import Account, ConsoleSession
from tsp_auth.models.base import new_id

PROFILE = "chrome-1"


async def _open_sessions(factory: Factory, profile: str) -> list[ConsoleSession]:
    async with factory.app.state.sessionmaker() as session:
        rows = await session.scalars(
            select(ConsoleSession).where(
                ConsoleSession.browser_profile == profile, ConsoleSession.ended_at.is_(None)
            )
        )
        return list(rows)


async def _seller_session(factory: Factory, account: Account, profile: str = PROFILE) -> Response:
    return await factory.client.post(
        "/v1/seller-console/sessions",
        json={"browser_profile": profile},
        headers=await factory.headers(account),
    )


async def _logout(client: AsyncClient, token: str) -> None:
    bearer = {"Authorization": f"Bearer {token}"}
    assert (
        await client.delete("/v1/tsp-access/sessions/current", headers=bearer)
    ).status_code == 204


async def test_a_session_needs_a_browser_profile(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    token = await login_token(factory, world.admin, world.seller.id)
    refused = await client.post("/v1/tsp-access/sessions", json={"login_token": token})
    assert (refused.status_code, refused.json()["error"]) == (400, "browser_profile_required")
    async with factory.app.state.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(ConsoleSession)) == 0
    # Nothing was used up: the same login token opens a session once a profile is named.
    assert (await redeem(client, token, browser_profile=PROFILE)).status_code == 201


async def test_another_partners_account_is_refused_on_a_held_profile(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    first = await redeem(
        client, await login_token(factory, world.admin, world.seller.id), browser_profile=PROFILE
    )
    assert first.status_code == 201, first.text
    rival = await make_world(factory)
    refused = await redeem(
        client, await login_token(factory, rival.admin, rival.seller.id), browser_profile=PROFILE
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"] == "browser_profile_in_use"
    assert "log out" in refused.json()["detail"]
    [holder] = await _open_sessions(factory, PROFILE)
    assert holder.id == first.json()["session_id"]
    still = await decide(
        client, first.json()["session_token"], "seller_center.orders", world.seller.id
    )
    assert still["allow"] is True
    [denial] = [e for e in await audit_events(factory, "session.started") if e.outcome == "denied"]
    assert (denial.actor_id, denial.reason) == (rival.admin.id, "browser_profile_in_use")
    # After the holder logs out, the other account may sign in on the profile.
    await _logout(client, first.json()["session_token"])
    again = await redeem(
        client, await login_token(factory, rival.admin, rival.seller.id), browser_profile=PROFILE
    )
    assert again.status_code == 201, again.text


async def test_a_member_of_the_same_partner_is_another_identity(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    await factory.assignment(world.member, world.seller)
    admin = await redeem(
        client, await login_token(factory, world.admin, world.seller.id), browser_profile=PROFILE
    )
    assert admin.status_code == 201
    member = await redeem(
        client, await login_token(factory, world.member, world.seller.id), browser_profile=PROFILE
    )
    assert (member.status_code, member.json()["error"]) == (409, "browser_profile_in_use")


async def test_a_sub_account_session_and_a_tsp_access_session_exclude_each_other(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    sub = await factory.account("seller", "sub", seller_id=world.seller.id)
    opened = await _seller_session(factory, sub)
    assert opened.status_code == 201, opened.text
    body = opened.json()
    assert (body["kind"], body["account_id"], body["seller_id"]) == (
        "seller_account",
        sub.id,
        world.seller.id,
    )
    tsp = await redeem(
        client, await login_token(factory, world.admin, world.seller.id), browser_profile=PROFILE
    )
    assert (tsp.status_code, tsp.json()["error"]) == (409, "browser_profile_in_use")
    assert "Seller Center account" in tsp.json()["detail"]
    [holder] = await _open_sessions(factory, PROFILE)
    assert (holder.kind, holder.member_id) == ("seller_account", sub.id)
    # The other way round, on a second profile.
    other = "chrome-2"
    assert (
        await redeem(
            client, await login_token(factory, world.admin, world.seller.id), browser_profile=other
        )
    ).status_code == 201
    refused = await _seller_session(factory, sub, other)
    assert (refused.status_code, refused.json()["error"]) == (409, "browser_profile_in_use")
    assert "TSP Access session" in refused.json()["detail"]
    [tsp_holder] = await _open_sessions(factory, other)
    assert tsp_holder.kind == "tsp_access"
    # Logging the sub-account out frees the first profile for TSP Access.
    await _logout(client, body["session_token"])
    after = await redeem(
        client, await login_token(factory, world.admin, world.seller.id), browser_profile=PROFILE
    )
    assert after.status_code == 201, after.text


async def test_the_same_identity_signing_in_again_replaces_its_own_session(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    sub = await factory.account("seller", "sub", seller_id=world.seller.id)
    first = (await _seller_session(factory, sub)).json()
    second = await _seller_session(factory, sub)
    assert second.status_code == 201
    async with factory.app.state.sessionmaker() as session:
        old = await session.get(ConsoleSession, first["session_id"])
    assert old is not None and old.end_reason == "replaced"
    [holder] = await _open_sessions(factory, PROFILE)
    assert holder.id == second.json()["session_id"]
    # A seller-account session is no TSP Access session: the decision API does not know it.
    asked = await decide(
        client, second.json()["session_token"], "seller_center.orders", world.seller.id
    )
    assert (asked["allow"], asked["reason"]) == (False, "invalid_session")


async def test_a_session_nobody_can_use_does_not_hold_the_profile(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    held = await redeem(
        client, await login_token(factory, world.admin, world.seller.id), browser_profile=PROFILE
    )
    cancelled = await client.post(
        f"/v1/grants/{world.grant.id}/cancel", headers=await factory.headers(world.main)
    )
    assert cancelled.status_code == 200
    sub = await factory.account("seller", "sub", seller_id=world.seller.id)
    assert (await _seller_session(factory, sub)).status_code == 201
    async with factory.app.state.sessionmaker() as session:
        old = await session.get(ConsoleSession, held.json()["session_id"])
    assert old is not None and old.end_reason == "grant_ended"


async def test_only_seller_accounts_open_seller_account_sessions(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    for account in (world.admin, await factory.operator()):
        refused = await _seller_session(factory, account)
        assert (refused.status_code, refused.json()["error"]) == (403, "seller_account_required")
    anonymous = await client.post("/v1/seller-console/sessions", json={"browser_profile": PROFILE})
    assert anonymous.status_code == 401
    bad = await _seller_session(factory, world.main, "no spaces allowed")
    assert bad.status_code == 400
    assert await _open_sessions(factory, PROFILE) == []


async def test_the_database_allows_one_open_session_per_profile(
    factory: Factory, world: World
) -> None:
    """The rule holds across processes because the database enforces it (a partial unique
    index on open sessions), not the process that checked first."""
    at = now()

    def row(account: Account) -> ConsoleSession:
        return ConsoleSession(
            id=new_id("cs"),
            kind="seller_account",
            token_hash=new_id("h"),
            member_id=account.id,
            seller_id=world.seller.id,
            roles=frozenset(),
            browser_profile=PROFILE,
            created_at=at,
            expires_at=at,
        )

    sub = await factory.account("seller", "sub", seller_id=world.seller.id)
    async with factory.app.state.sessionmaker() as session:
        session.add(row(world.main))
        await session.flush()
        session.add(row(sub))
        with pytest.raises(IntegrityError):
            await session.flush()


async def test_concurrent_sign_ins_of_several_identities_leave_one_on_the_profile(
    committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    factory = Factory(committed_app, committed_client)
    world = await make_world(factory)
    subs = [await factory.account("seller", "sub", seller_id=world.seller.id) for _ in range(8)]
    headers = [await factory.headers(s) for s in subs]
    responses = await asyncio.gather(
        *(
            committed_client.post(
                "/v1/seller-console/sessions", json={"browser_profile": PROFILE}, headers=h
            )
            for h in headers
        )
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 7, [
        r.text for r in responses
    ]
    assert {r.json()["error"] for r in responses if r.status_code == 409} == {
        "browser_profile_in_use"
    }
    assert len(await _open_sessions(factory, PROFILE)) == 1
