"""A partner admin's pages: Request TSP Access links (seed 001), assignments (DESIGN §2) and
My account > My authorizations (seed 004), each through the JSON API's services."""

from __future__ import annotations

import re

from httpx import AsyncClient

from tests.consent_page.helpers import csrf_of, sign_in
from tests.factories import Factory
from tests.partner_apps.helpers import org, partner_app, tokens
from tests.tsp_access.helpers import make_world
from tsp_auth.identity.callers import IDENTITY_COOKIE
from tsp_auth.models import Account, Grant
from tsp_auth.web.csrf import csrf_token

SAME_ORIGIN = {"origin": "http://127.0.0.1:8000"}


async def _account(factory: Factory, account_id: str) -> Account:
    async with factory.app.state.sessionmaker() as session:
        row = await session.get(Account, account_id)
        assert row is not None
        return row


async def _status(factory: Factory, grant_id: str) -> str:
    async with factory.app.state.sessionmaker() as session:
        row = await session.get(Grant, grant_id)
        assert row is not None
        return row.status


async def test_request_tsp_access_gives_a_link_to_copy(
    client: AsyncClient, factory: Factory
) -> None:
    world = await make_world(factory, items=("data_compass",), roles=())
    await sign_in(client, world.admin)
    listed = await client.get("/tsp-access/request")
    assert listed.status_code == 200
    assert f'id="requestable-{world.seller.id}"' in listed.text
    form = {
        "csrf_token": csrf_of(listed.text),
        "seller_id": world.seller.id,
        "service_id": world.service.id,
    }
    made = await client.post("/tsp-access/request", data=form, headers=SAME_ORIGIN)
    assert made.status_code == 200, made.text
    shown = rf'id="link-{world.seller.id}" class="link" readonly value="([^"]+)"'
    link = re.search(shown, made.text)
    assert link is not None
    assert "purpose=tsp_access" in link.group(1) and world.service.id in link.group(1)


async def test_an_admin_assigns_and_removes_a_member_on_the_page(
    client: AsyncClient, factory: Factory
) -> None:
    world = await make_world(factory)
    await sign_in(client, world.admin)
    page = await client.get("/tsp-access/assignments")
    assert f'<option value="{world.member.id}">' in page.text
    assert f'<option value="{world.admin.id}">' not in page.text  # admins need none
    form = {
        "csrf_token": csrf_of(page.text),
        "member_id": world.member.id,
        "seller_id": world.seller.id,
        "roles": ["products"],
    }
    done = await client.post("/tsp-access/assignments", data=form, headers=SAME_ORIGIN)
    assert done.status_code == 303, done.text
    listed = await client.get("/tsp-access/assignments")
    [assignment_id] = re.findall(r'id="assignment-(asg_[^"]+)"', listed.text)
    assert '<td data-label="Roles">products</td>' in listed.text

    await sign_in(client, world.member)
    assert f'id="seller-{world.seller.id}"' in (await client.get("/tsp-access")).text

    await sign_in(client, world.admin)
    form = {"csrf_token": csrf_of((await client.get("/tsp-access/assignments")).text)}
    removed = await client.post(
        f"/tsp-access/assignments/{assignment_id}/remove", data=form, headers=SAME_ORIGIN
    )
    assert removed.status_code == 303
    assert "No assignments yet." in (await client.get("/tsp-access/assignments")).text


async def test_a_member_cannot_assign_and_nothing_is_written(
    client: AsyncClient, factory: Factory
) -> None:
    world = await make_world(factory)
    await sign_in(client, world.member)
    page = await client.get("/tsp-access/assignments")
    assert page.status_code == 200 and "Assign a member" not in page.text
    token = csrf_token(
        factory.app.state.settings.id_token_secret.get_secret_value(),
        request_id="/tsp-access/assignments",
        account_id=world.member.id,
        identity_token=client.cookies[IDENTITY_COOKIE],
    )
    form = {"csrf_token": token, "member_id": world.member.id, "seller_id": world.seller.id}
    refused = await client.post("/tsp-access/assignments", data=form, headers=SAME_ORIGIN)
    assert refused.status_code == 403
    assert '<code id="error">partner_admin_required</code>' in refused.text
    await sign_in(client, world.member)
    assert 'id="no-sellers"' in (await client.get("/tsp-access")).text


async def test_my_authorizations_lists_the_partners_apps_and_cancels_one(
    client: AsyncClient, factory: Factory
) -> None:
    owner, grantor = await org(factory), await org(factory)
    app = await partner_app(factory, owner)
    grant_id, _ = await tokens(client, app, grantor)
    await sign_in(client, await _account(factory, grantor.admin_id))
    page = await client.get("/my-account/authorizations")
    assert page.status_code == 200
    assert f'id="authorization-{grant_id}"' in page.text and app.client.name in page.text
    form = {"csrf_token": csrf_of(page.text)}
    done = await client.post(
        f"/my-account/authorizations/{grant_id}/cancel", data=form, headers=SAME_ORIGIN
    )
    assert done.status_code == 303, done.text
    assert await _status(factory, grant_id) == "cancelled"
