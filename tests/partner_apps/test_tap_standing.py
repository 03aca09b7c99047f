"""seed 004: TAP enrolment and "development accepts its owner only" are standing rules. A
partner that loses TAP, or an app set back to development, ends the authorizations that rule
no longer allows, through the grant write path, with their tokens at once."""

from __future__ import annotations

import json

from httpx import AsyncClient
from sqlalchemy import select

from tests.factories import Factory
from tests.partner_apps.helpers import Org, introspect, org, partner_app, refresh, tokens
from tsp_auth.models import AuditEvent, Grant, Partner, TokenFamily, WebhookDelivery

HOOK = "http://127.0.0.1:9/hook"
DEACTIVATED = "app_authorization.deactivated"


async def _subscribe(client: AsyncClient, who: Org, events: list[str]) -> None:
    response = await client.post(
        "/v1/webhooks", json={"url": HOOK, "events": events}, headers=who.admin
    )
    assert response.status_code == 201, response.text


async def _operator(factory: Factory) -> dict[str, str]:
    return await factory.headers(await factory.operator())


async def _grant(factory: Factory, grant_id: str) -> Grant:
    async with factory.app.state.sessionmaker() as session:
        grant = await session.get(Grant, grant_id)
        assert grant is not None
        return grant


async def test_losing_tap_deactivates_the_partners_app_authorizations(
    client: AsyncClient, factory: Factory
) -> None:
    owner = await org(factory)
    grantor = await org(factory)
    await _subscribe(client, owner, [DEACTIVATED])
    await _subscribe(client, grantor, ["grant.deactivated"])
    app = await partner_app(factory, owner)
    grant_id, body = await tokens(client, app, grantor)
    own_grant_id, own_body = await tokens(client, app, owner)  # the owner keeps TAP
    assert (await introspect(client, app, body["access_token"]))["active"] is True

    changed = await client.patch(
        f"/v1/partners/{grantor.partner.id}",
        json={"categories": ["seller_service"]},
        headers=await _operator(factory),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["categories"] == ["seller_service"]

    # The very next call: the access token is inactive, the refresh token refused.
    assert (await introspect(client, app, body["access_token"]))["active"] is False
    again = await refresh(client, app, body["refresh_token"])
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")
    assert (await introspect(client, app, own_body["access_token"]))["active"] is True

    grant = await _grant(factory, grant_id)
    assert (grant.status, grant.status_reason, grant.version) == (
        "deactivated",
        "partner_not_tap_enrolled",
        2,
    )
    assert (await _grant(factory, own_grant_id)).status == "active"
    async with factory.app.state.sessionmaker() as session:
        families = (
            await session.scalars(select(TokenFamily).where(TokenFamily.grant_id == grant_id))
        ).all()
        assert families and {f.revoked_reason for f in families} == {"partner_not_tap_enrolled"}
        deliveries = (await session.scalars(select(WebhookDelivery))).all()
        by_type = {d.event_type: json.loads(d.body) for d in deliveries}
        assert set(by_type) == {DEACTIVATED, "grant.deactivated"}
        assert by_type[DEACTIVATED]["partner_id"] == owner.partner.id
        assert by_type[DEACTIVATED]["data"]["partner_id"] == grantor.partner.id
        assert by_type[DEACTIVATED]["data"]["status_reason"] == "partner_not_tap_enrolled"
        actions = set(
            (
                await session.scalars(
                    select(AuditEvent.action).where(AuditEvent.grant_id == grant_id)
                )
            ).all()
        )
        assert {"grant.deactivated", DEACTIVATED} <= actions


async def test_enrolling_again_revives_nothing(client: AsyncClient, factory: Factory) -> None:
    owner = await org(factory)
    grantor = await org(factory)
    app = await partner_app(factory, owner)
    grant_id, body = await tokens(client, app, grantor)
    operator = await _operator(factory)
    path = f"/v1/partners/{grantor.partner.id}"
    await client.patch(path, json={"categories": ["seller_service"]}, headers=operator)

    enrol = {"categories": ["seller_service", "tap"]}
    back = await client.patch(path, json=enrol, headers=operator)
    assert back.status_code == 200, back.text
    assert (await _grant(factory, grant_id)).status == "deactivated"
    assert (await introspect(client, app, body["access_token"]))["active"] is False
    # A new authorization is needed, and it is a new grant.
    new_id, new_body = await tokens(client, app, grantor)
    assert new_id != grant_id
    assert (await introspect(client, app, new_body["access_token"]))["active"] is True


async def test_only_an_operator_changes_enrolment(client: AsyncClient, factory: Factory) -> None:
    owner = await org(factory)
    grantor = await org(factory)
    app = await partner_app(factory, owner)
    grant_id, body = await tokens(client, app, grantor)
    path = f"/v1/partners/{grantor.partner.id}"
    cases = (
        (grantor.admin, {"categories": ["seller_service"]}, 403, "operator_required"),
        (owner.admin, {"categories": []}, 403, "operator_required"),
        (await _operator(factory), {"categories": ["golf"]}, 400, "invalid_request"),
        (await _operator(factory), {"categories": [], "name": "x"}, 400, "invalid_request"),
    )
    for headers, payload, status, error in cases:
        response = await client.patch(path, json=payload, headers=headers)
        answer = (response.status_code, response.json().get("error"))
        assert answer == (status, error), response.text
    unknown = await client.patch(
        "/v1/partners/ptn_nope", json={"categories": []}, headers=await _operator(factory)
    )
    assert (unknown.status_code, unknown.json()["error"]) == (404, "not_found")

    async with factory.app.state.sessionmaker() as session:
        partner = await session.get(Partner, grantor.partner.id)
        assert partner is not None and "tap" in partner.categories
        assert (await session.scalars(select(WebhookDelivery))).all() == []
    assert (await _grant(factory, grant_id)).status == "active"
    assert (await introspect(client, app, body["access_token"]))["active"] is True


async def test_an_app_back_in_development_keeps_only_its_owner(
    client: AsyncClient, factory: Factory
) -> None:
    owner = await org(factory)
    grantor = await org(factory)
    await _subscribe(client, owner, [DEACTIVATED])
    app = await partner_app(factory, owner)
    other_id, other_body = await tokens(client, app, grantor)
    own_id, own_body = await tokens(client, app, owner)

    back = await client.patch(
        f"/v1/clients/{app.client.id}", json={"status": "development"}, headers=owner.admin
    )
    assert back.status_code == 200, back.text

    assert (await introspect(client, app, other_body["access_token"]))["active"] is False
    assert (await introspect(client, app, own_body["access_token"]))["active"] is True
    other = await _grant(factory, other_id)
    assert (other.status, other.status_reason) == ("deactivated", "app_in_development")
    assert (await _grant(factory, own_id)).status == "active"
    async with factory.app.state.sessionmaker() as session:
        (told,) = (await session.scalars(select(WebhookDelivery))).all()
        assert told.event_type == DEACTIVATED
        assert json.loads(told.body)["data"]["grant_id"] == other_id

    # Launching again revives nothing: the other partner must authorize anew.
    live = await client.patch(
        f"/v1/clients/{app.client.id}", json={"status": "live"}, headers=owner.admin
    )
    assert live.status_code == 200, live.text
    assert (await _grant(factory, other_id)).status == "deactivated"


async def test_a_member_cannot_set_the_app_back(client: AsyncClient, factory: Factory) -> None:
    owner = await org(factory)
    grantor = await org(factory)
    app = await partner_app(factory, owner)
    other_id, other_body = await tokens(client, app, grantor)
    response = await client.patch(
        f"/v1/clients/{app.client.id}", json={"status": "development"}, headers=owner.member
    )
    assert (response.status_code, response.json()["error"]) == (403, "partner_admin_required")
    assert (await _grant(factory, other_id)).status == "active"
    assert (await introspect(client, app, other_body["access_token"]))["active"] is True


async def test_an_app_back_in_development_leaves_the_authorizations_of_other_apps(
    client: AsyncClient, factory: Factory
) -> None:
    owner = await org(factory)
    grantor = await org(factory)
    app = await partner_app(factory, owner)
    another = await partner_app(factory, owner)  # same owner, still live
    kept_id, kept_body = await tokens(client, another, grantor)

    back = await client.patch(
        f"/v1/clients/{app.client.id}", json={"status": "development"}, headers=owner.admin
    )
    assert back.status_code == 200, back.text

    assert (await _grant(factory, kept_id)).status == "active"
    assert (await introspect(client, another, kept_body["access_token"]))["active"] is True
