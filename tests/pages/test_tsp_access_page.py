"""Partner Center "TSP Access" (seed 000): the sellers a partner account may act for, and the
Log in button that mints a login token through the login service and hands it over in a form."""

from __future__ import annotations

import re

from httpx import AsyncClient
from sqlalchemy import func, select

from tests.consent_page.helpers import assert_page_headers, csrf_of, sign_in
from tests.factories import Factory
from tests.tsp_access.helpers import audit_events, make_world
from tsp_auth.models import LoginToken

SAME_ORIGIN = {"origin": "http://127.0.0.1:8000"}


async def _tokens(factory: Factory) -> int:
    async with factory.app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(LoginToken)) or 0)


async def test_a_member_sees_only_its_assigned_sellers_and_an_admin_sees_all(
    client: AsyncClient, factory: Factory
) -> None:
    world = await make_world(factory)
    other_seller, _ = await factory.seller("UK")
    await factory.grant(other_seller, world.service)
    await sign_in(client, world.member)
    empty = await client.get("/tsp-access")
    assert empty.status_code == 200
    assert 'id="no-sellers"' in empty.text and world.seller.shop_name not in empty.text

    await factory.assignment(world.member, world.seller)
    assigned = await client.get("/tsp-access")
    assert f'id="seller-{world.seller.id}"' in assigned.text
    assert f'id="seller-{other_seller.id}"' not in assigned.text
    assert "Signed in as <strong>partner member</strong>" in assigned.text

    await sign_in(client, world.admin)
    everything = await client.get("/tsp-access")
    assert_page_headers(everything)
    assert all(f'id="seller-{s.id}"' in everything.text for s in (world.seller, other_seller))


async def test_log_in_hands_the_token_to_the_console_in_a_post_form(
    client: AsyncClient, factory: Factory
) -> None:
    world = await make_world(factory)
    await sign_in(client, world.admin)
    listed = await client.get("/tsp-access")
    form = {"csrf_token": csrf_of(listed.text), "seller_id": world.seller.id, "service_id": ""}

    handed = await client.post("/tsp-access/login", data=form, headers=SAME_ORIGIN)

    assert handed.status_code == 200, handed.text
    assert 'action="https://seller.tiktokshop.com/tsp-access/login"' in handed.text
    assert re.search(r'name="login_token" value="eyJ[^"]+"', handed.text)
    csp = handed.headers["content-security-policy"]
    assert "form-action 'self' https://seller.tiktokshop.com" in csp
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+';", csp)
    [minted] = await audit_events(factory, "login_token.minted")
    assert (minted.outcome, minted.actor_id) == ("success", world.admin.id)


async def test_a_forged_log_in_is_refused_and_mints_nothing(
    client: AsyncClient, factory: Factory
) -> None:
    world = await make_world(factory)
    await sign_in(client, world.admin)
    form = {"csrf_token": "forged", "seller_id": world.seller.id}
    refused = await client.post("/tsp-access/login", data=form, headers=SAME_ORIGIN)
    assert refused.status_code == 403
    assert '<code id="error">csrf_token_invalid</code>' in refused.text
    cross = await client.post(
        "/tsp-access/login", data=form, headers={"origin": "https://evil.example"}
    )
    assert cross.status_code == 403
    assert await _tokens(factory) == 0


async def test_an_unassigned_members_log_in_is_the_services_refusal(
    client: AsyncClient, factory: Factory
) -> None:
    world = await make_world(factory)
    assigned_seller, _ = await factory.seller("UK")
    await factory.grant(assigned_seller, world.service)
    await factory.assignment(world.member, assigned_seller)
    await sign_in(client, world.member)
    listed = await client.get("/tsp-access")
    # The form of the seller it is assigned, sent for one it is not.
    form = {"csrf_token": csrf_of(listed.text), "seller_id": world.seller.id}
    refused = await client.post("/tsp-access/login", data=form, headers=SAME_ORIGIN)
    assert refused.status_code == 403
    assert '<code id="error">not_assigned</code>' in refused.text
    assert await _tokens(factory) == 0


async def test_a_seller_is_told_tsp_access_is_for_partners(
    client: AsyncClient, factory: Factory
) -> None:
    world = await make_world(factory)
    await sign_in(client, world.main)
    page = await client.get("/tsp-access")
    assert page.status_code == 403
    assert '<code id="error">partner_account_required</code>' in page.text
