"""Seller Center "My Service" (seed 002): authorizations by partner, cancel after a
confirmation, remove one service, the audit trail and its CSV; a sub-account reads only."""

from __future__ import annotations

from httpx import AsyncClient

from tests.consent_page.helpers import csrf_of, sign_in
from tests.factories import Factory
from tests.tsp_access.helpers import World, make_world
from tsp_auth.identity.callers import IDENTITY_COOKIE
from tsp_auth.models import Grant
from tsp_auth.web.csrf import csrf_token

SAME_ORIGIN = {"origin": "http://127.0.0.1:8000"}


async def _status(factory: Factory, grant_id: str) -> str:
    async with factory.app.state.sessionmaker() as session:
        grant = await session.get(Grant, grant_id)
        assert grant is not None
        return grant.status


async def _two_services(factory: Factory) -> tuple[World, Grant]:
    world = await make_world(factory)
    other = await factory.service(world.partner, markets=("UK",))
    return world, await factory.grant(world.seller, other, consented_by=world.main)


async def test_the_main_account_sees_its_authorizations_and_cancels_after_confirming(
    client: AsyncClient, factory: Factory
) -> None:
    world, second = await _two_services(factory)
    await sign_in(client, world.main)
    listed = await client.get("/my-service")
    assert listed.status_code == 200
    assert f'<h2 id="partner-1">{world.partner.name}</h2>' in listed.text
    assert listed.text.count('class="status-active">Active</td>') == 2
    assert "Seller Center roles: Orders, Products" in listed.text

    confirm = await client.get(f"/my-service/{world.grant.id}/cancel")
    assert confirm.status_code == 200
    assert world.service.name in confirm.text and "lose TSP access" in confirm.text
    form = {"csrf_token": csrf_of(confirm.text)}
    done = await client.post(f"/my-service/{world.grant.id}/cancel", data=form, headers=SAME_ORIGIN)

    assert (done.status_code, done.headers["location"]) == (303, "/my-service?cancelled=2")
    assert {await _status(factory, g) for g in (world.grant.id, second.id)} == {"cancelled"}
    after = await client.get("/my-service")
    assert after.text.count('class="status-ended">Cancelled</td>') == 2


async def test_removing_one_service_keeps_the_other(client: AsyncClient, factory: Factory) -> None:
    world, second = await _two_services(factory)
    await sign_in(client, world.main)
    form = {"csrf_token": csrf_of((await client.get("/my-service")).text)}
    done = await client.post(f"/my-service/{second.id}/remove", data=form, headers=SAME_ORIGIN)
    assert done.status_code == 303
    assert await _status(factory, second.id) != "active"
    assert await _status(factory, world.grant.id) == "active"


async def test_a_sub_account_reads_only_and_its_cancel_is_refused(
    client: AsyncClient, factory: Factory
) -> None:
    world = await make_world(factory)
    sub = await factory.account("seller", "sub", seller_id=world.seller.id)
    await sign_in(client, sub)
    listed = await client.get("/my-service")
    assert listed.status_code == 200
    assert 'id="read-only"' in listed.text and "Remove this service" not in listed.text
    # The page has no form for it; a valid token of its sign-in still changes nothing.
    token = csrf_token(
        factory.app.state.settings.id_token_secret.get_secret_value(),
        request_id="/my-service",
        account_id=sub.id,
        identity_token=client.cookies[IDENTITY_COOKIE],
    )
    form = {"csrf_token": token}
    refused = await client.post(
        f"/my-service/{world.grant.id}/cancel", data=form, headers=SAME_ORIGIN
    )
    assert refused.status_code == 403
    assert '<code id="error">not_main_account</code>' in refused.text
    assert await _status(factory, world.grant.id) == "active"


async def test_the_audit_trail_and_its_csv_export(client: AsyncClient, factory: Factory) -> None:
    world = await make_world(factory)
    await sign_in(client, world.main)
    confirm = await client.get(f"/my-service/{world.grant.id}/cancel")
    form = {"csrf_token": csrf_of(confirm.text)}
    await client.post(f"/my-service/{world.grant.id}/cancel", data=form, headers=SAME_ORIGIN)

    trail = await client.get("/my-service/audit")
    assert trail.status_code == 200 and "<code>grant.cancelled</code>" in trail.text
    exported = await client.get("/my-service/audit.csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text.splitlines()[0].startswith("id,")
    assert "grant.cancelled" in exported.text


async def test_a_partner_is_sent_elsewhere(client: AsyncClient, factory: Factory) -> None:
    world = await make_world(factory)
    await sign_in(client, world.admin)
    page = await client.get("/my-service")
    assert page.status_code == 403
    assert '<code id="error">seller_only</code>' in page.text


async def test_the_main_account_narrows_a_grant_on_the_edit_page(
    client: AsyncClient, factory: Factory
) -> None:
    world = await make_world(factory)
    await sign_in(client, world.main)
    form_page = await client.get(f"/my-service/{world.grant.id}/edit")
    assert form_page.status_code == 200
    assert 'name="roles" value="orders" checked' in form_page.text
    form = {
        "csrf_token": csrf_of(form_page.text),
        "version": "1",
        "items": ["seller_center_access", "data_compass"],
        "roles": ["products"],
        "areas": ["live"],
    }
    done = await client.post(f"/my-service/{world.grant.id}/edit", data=form, headers=SAME_ORIGIN)
    assert (done.status_code, done.headers["location"]) == (303, "/my-service?edited=1")
    async with factory.app.state.sessionmaker() as session:
        grant = await session.get(Grant, world.grant.id)
        assert grant is not None
        assert (grant.roles, grant.version) == (frozenset({"products"}), 2)


async def test_an_edit_from_a_stale_page_is_refused_and_changes_nothing(
    client: AsyncClient, factory: Factory
) -> None:
    world = await make_world(factory)
    await sign_in(client, world.main)
    form_page = await client.get(f"/my-service/{world.grant.id}/edit")
    form = {
        "csrf_token": csrf_of(form_page.text),
        "version": "7",
        "items": ["seller_center_access"],
        "roles": ["products"],
    }
    refused = await client.post(
        f"/my-service/{world.grant.id}/edit", data=form, headers=SAME_ORIGIN
    )
    assert refused.status_code == 409
    assert '<code id="error">grant_changed</code>' in refused.text
    async with factory.app.state.sessionmaker() as session:
        grant = await session.get(Grant, world.grant.id)
        assert grant is not None and grant.version == 1
