"""seed 004 "Cancel authorization" (My account > My authorizations): the list, the cancel,
and what the cancel does to the app's tokens, webhooks and the audit trail."""

from __future__ import annotations

import json

from httpx import AsyncClient
from sqlalchemy import select

from tests.factories import Factory
from tests.partner_apps.helpers import introspect, org, partner_app, refresh, tokens
from tsp_auth.models import AuditEvent, Grant, TokenFamily, WebhookDelivery

HOOK = "http://127.0.0.1:9/hook"


async def _subscribe(client: AsyncClient, headers: dict[str, str], events: list[str]) -> None:
    response = await client.post(
        "/v1/webhooks", json={"url": HOOK, "events": events}, headers=headers
    )
    assert response.status_code == 201, response.text


async def test_the_list_shows_what_the_partner_authorized(
    client: AsyncClient, factory: Factory
) -> None:
    owner = await org(factory)
    grantor = await org(factory)
    app = await partner_app(factory, owner)
    grant_id, _ = await tokens(client, app, grantor)

    for headers in (grantor.admin, grantor.member):
        listed = await client.get("/v1/app-authorizations", headers=headers)
        assert listed.status_code == 200, listed.text
        (item,) = listed.json()["items"]
        assert (item["grant_id"], item["status"], item["version"]) == (grant_id, "active", 1)
        assert item["app"]["client_id"] == app.client.id
        assert item["app"]["name"] == app.client.name
        assert item["owner"]["id"] == owner.partner.id
        assert item["categories"] == ["tap"]
        assert item["scopes"] == ["partner.affiliate.read", "partner.creator.read"]
        assert item["authorized_by"] == grantor.admin_id
    # The owner authorized nothing itself; another partner sees nothing either.
    assert (await client.get("/v1/app-authorizations", headers=owner.admin)).json()["items"] == []
    _, main = await factory.seller()
    seller = await client.get("/v1/app-authorizations", headers=await factory.headers(main))
    assert (seller.status_code, seller.json()["error"]) == (403, "partner_account_required")


async def test_cancel_kills_the_apps_tokens_at_once(client: AsyncClient, factory: Factory) -> None:
    owner = await org(factory)
    grantor = await org(factory)
    await _subscribe(client, owner.admin, ["app_authorization.cancelled"])
    await _subscribe(client, grantor.admin, ["grant.cancelled"])
    app = await partner_app(factory, owner)
    grant_id, body = await tokens(client, app, grantor)
    assert (await introspect(client, app, body["access_token"]))["active"] is True

    cancelled = await client.post(
        f"/v1/app-authorizations/{grant_id}/cancel", headers=grantor.admin
    )
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["version"]) == ("cancelled", 2)
    assert cancelled.json()["status_reason"] == "partner_cancelled"

    assert (await introspect(client, app, body["access_token"]))["active"] is False
    assert (await introspect(client, app, body["refresh_token"]))["active"] is False
    again = await refresh(client, app, body["refresh_token"])
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")

    async with factory.app.state.sessionmaker() as session:
        families = (await session.scalars(select(TokenFamily))).all()
        assert families and all(f.revoked_at is not None for f in families)
        assert {f.revoked_reason for f in families} == {"authorization_cancelled"}
        deliveries = (await session.scalars(select(WebhookDelivery))).all()
        by_type = {d.event_type: d for d in deliveries}
        assert set(by_type) == {"app_authorization.cancelled", "grant.cancelled"}
        told = json.loads(by_type["app_authorization.cancelled"].body)
        assert told["partner_id"] == owner.partner.id
        assert (told["data"]["client_id"], told["data"]["partner_id"]) == (
            app.client.id,
            grantor.partner.id,
        )
        events = (
            await session.scalars(
                select(AuditEvent).where(AuditEvent.grant_id == grant_id).order_by(AuditEvent.id)
            )
        ).all()
        actions = {(e.action, e.partner_id, e.outcome) for e in events}
        assert ("grant.cancelled", grantor.partner.id, "success") in actions
        assert ("app_authorization.cancelled", owner.partner.id, "success") in actions

    twice = await client.post(f"/v1/app-authorizations/{grant_id}/cancel", headers=grantor.admin)
    assert (twice.status_code, twice.json()["error"]) == (409, "grant_not_active")


async def test_only_the_grantors_admin_cancels(client: AsyncClient, factory: Factory) -> None:
    owner = await org(factory)
    grantor = await org(factory)
    app = await partner_app(factory, owner)
    grant_id, body = await tokens(client, app, grantor)
    path = f"/v1/app-authorizations/{grant_id}/cancel"

    for headers, status, error in (
        (owner.admin, 404, "not_found"),  # another partner's authorization does not exist
        (grantor.member, 403, "partner_admin_required"),
    ):
        response = await client.post(path, headers=headers)
        assert (response.status_code, response.json()["error"]) == (status, error)
    async with factory.app.state.sessionmaker() as session:
        grant = await session.get(Grant, grant_id)
        assert grant is not None
        assert (grant.status, grant.version) == ("active", 1)
    assert (await introspect(client, app, body["access_token"]))["active"] is True


async def test_a_cancelled_authorization_can_be_given_again(
    client: AsyncClient, factory: Factory
) -> None:
    grantor = await org(factory)
    app = await partner_app(factory, grantor)
    first_id, _ = await tokens(client, app, grantor)
    await client.post(f"/v1/app-authorizations/{first_id}/cancel", headers=grantor.admin)
    second_id, body = await tokens(client, app, grantor)
    assert second_id != first_id
    assert (await introspect(client, app, body["access_token"]))["active"] is True
    listed = (await client.get("/v1/app-authorizations", headers=grantor.admin)).json()["items"]
    assert [(i["grant_id"], i["status"]) for i in listed] == [
        (second_id, "active"),
        (first_id, "cancelled"),
    ]
