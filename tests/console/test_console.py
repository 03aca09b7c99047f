"""The local seller console: it redeems a login token once on the browser's profile, shows
who acts for whom, asks a decision before every action, and says so when access ended."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from pydantic import ValidationError
from sqlalchemy import func, select

from tests.factories import Factory
from tests.tsp_access.helpers import World, audit_events, login, make_world
from tsp_auth.config import Settings
from tsp_auth.console.router import PROFILE_COOKIE, SESSION_COOKIE
from tsp_auth.models import ConsoleSession

SAME_ORIGIN = {"origin": "http://127.0.0.1:8000"}


async def _sessions(factory: Factory) -> int:
    async with factory.app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(ConsoleSession)) or 0)


async def _logged_in(factory: Factory) -> World:
    world = await make_world(factory)
    issued = (await login(factory, world.admin, world.seller.id)).json()
    redeemed = await factory.client.post(
        urlsplit(issued["login_url"]).path, data={"login_token": issued["login_token"]}
    )
    assert (redeemed.status_code, redeemed.headers["location"]) == (303, "/console")
    return world


async def test_login_url_is_the_local_console_and_the_token_is_redeemed_once(
    console_factory: Factory,
) -> None:
    world = await make_world(console_factory)
    issued = (await login(console_factory, world.admin, world.seller.id)).json()
    assert issued["login_url"] == "http://127.0.0.1:8000/console/login"
    client = console_factory.client

    redeemed = await client.post("/console/login", data={"login_token": issued["login_token"]})
    assert redeemed.status_code == 303
    assert client.cookies.get(SESSION_COOKIE) and client.cookies.get(PROFILE_COOKIE)
    home = await client.get("/console")
    assert home.status_code == 200
    assert f"Acting as <strong>{world.seller.shop_name}</strong>" in home.text
    assert f"by <strong>{world.admin.name}</strong>" in home.text

    again = await client.post("/console/login", data={"login_token": issued["login_token"]})
    assert again.status_code == 409
    assert '<code id="error">login_token_used</code>' in again.text
    assert await _sessions(console_factory) == 1


async def test_each_action_asks_a_decision_and_a_cancel_ends_access_at_the_next_one(
    console_factory: Factory,
) -> None:
    world = await _logged_in(console_factory)
    client = console_factory.client
    assert (await client.get("/console/areas/products")).status_code == 200
    headers = await console_factory.headers(world.main)
    cancelled = await client.post(f"/v1/grants/{world.grant.id}/cancel", headers=headers)
    assert cancelled.status_code == 200, cancelled.text

    ended = await client.get("/console/areas/orders")
    assert ended.status_code == 403
    assert "has ended" in ended.text
    assert '<code id="reason">grant_not_active</code>' in ended.text


async def test_creator_im_without_the_forms_token_is_refused_and_not_recorded(
    console_factory: Factory,
) -> None:
    await _logged_in(console_factory)
    form = {"creator": "@someone", "message": "hi", "csrf_token": "forged"}
    refused = await console_factory.client.post(
        "/console/creator-im", data=form, headers=SAME_ORIGIN
    )
    assert refused.status_code == 403
    assert '<code id="error">csrf_token_invalid</code>' in refused.text
    assert await audit_events(console_factory, "creator_im.authorized") == []


async def test_a_console_without_a_session_shows_that_none_is_open(
    console_client: AsyncClient,
) -> None:
    page = await console_client.get("/console/areas/products")
    assert page.status_code == 403
    assert '<code id="reason">invalid_session</code>' in page.text


async def test_the_console_is_not_served_unless_enabled(client: AsyncClient, app: FastAPI) -> None:
    assert app.state.settings.local_console is False
    assert (await client.post("/console/login", data={"login_token": "x"})).status_code == 404


def test_production_refuses_the_local_console() -> None:
    with pytest.raises(ValidationError, match="TSP_AUTH_LOCAL_CONSOLE"):
        Settings(
            environment="production",
            local_console=True,
            dev_issuer_enabled=False,
            database_url="postgresql+asyncpg://db/x",
            id_token_secret="s" * 40,  # type: ignore[arg-type]
            key_wrapping_key="ZGV2LW9ubHktd3JhcHBpbmcta2V5LWRvLW5vdC11c2Y=",  # type: ignore[arg-type]
        )


async def test_logging_out_of_the_console_ends_the_session(console_factory: Factory) -> None:
    await _logged_in(console_factory)
    client = console_factory.client
    done = await client.post("/console/logout", headers=SAME_ORIGIN)
    assert done.status_code == 200 and "You have logged out" in done.text
    async with console_factory.app.state.sessionmaker() as session:
        [row] = (await session.scalars(select(ConsoleSession))).all()
        assert row.end_reason == "logout"
    after = await client.get("/console/areas/products")
    assert after.status_code == 403 and "has ended" in after.text


async def test_switching_seller_replaces_the_session_on_the_browser_profile(
    console_factory: Factory,
) -> None:
    world = await make_world(console_factory)
    other, _ = await console_factory.seller("UK")
    await console_factory.grant(
        other, world.service, items=("seller_center_access",), roles=("products",)
    )
    client = console_factory.client
    for seller in (world.seller, other):
        issued = (await login(console_factory, world.admin, seller.id)).json()
        redeemed = await client.post("/console/login", data={"login_token": issued["login_token"]})
        assert redeemed.status_code == 303
    home = await client.get("/console")
    assert f"Acting as <strong>{other.shop_name}</strong>" in home.text
    async with console_factory.app.state.sessionmaker() as session:
        rows = (await session.scalars(select(ConsoleSession))).all()
        ends = sorted((row.seller_id == other.id, row.end_reason) for row in rows)
    assert ends == [(False, "replaced"), (True, None)]
