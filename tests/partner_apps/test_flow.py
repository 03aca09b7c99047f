"""seed 004 end to end: a TAP partner's admin authorizes an app; the app gets a code, tokens,
and a refresh that works; re-authorizing renews the one grant."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from httpx import AsyncClient
from sqlalchemy import select

from tests.factories import Factory
from tests.oauth.helpers import query_of
from tests.partner_apps.helpers import (
    REDIRECT,
    SCOPES,
    accept,
    authorize,
    introspect,
    open_link,
    org,
    partner_app,
    redeem,
    refresh,
    tokens,
)
from tsp_auth.models import AuthorizationCode, Grant, TokenFamily

ISSUER = "http://127.0.0.1:8000"


async def test_a_tap_partner_authorizes_a_live_app_end_to_end(
    client: AsyncClient, factory: Factory
) -> None:
    owner = await org(factory, region="US")
    grantor = await org(factory)
    app = await partner_app(factory, owner)

    link = await client.post(
        "/v1/app-authorization-links",
        json={"client_id": app.client.id, "state": "app-state-1"},
        headers=owner.member,
    )
    assert link.status_code == 200, link.text
    url = urlsplit(link.json()["url"])
    # In development an unconfigured host is the issuer's (docs/consent.md, "Where links point").
    assert (url.hostname, url.path) == ("127.0.0.1", "/open/authorize")
    listed_before = (await client.get("/v1/services", headers=owner.admin)).json()
    assert {k: v[0] for k, v in parse_qs(url.query).items()} == {
        "service_id": app.client.service_id,
        "state": "app-state-1",
        "client_id": app.client.id,
        "redirect_uri": REDIRECT,
        "response_type": "code",
    }

    request_id, verifier = await open_link(client, app)
    # The row kept for the app's service id is not a service the owner published.
    assert (await client.get("/v1/services", headers=owner.admin)).json() == listed_before
    view = await client.get(f"/v1/app-authorization-requests/{request_id}", headers=grantor.admin)
    assert view.status_code == 200, view.text
    shown = view.json()
    assert shown["app"] == {
        "client_id": app.client.id,
        "name": app.client.name,
        "service_id": app.client.service_id,
        "status": "live",
    }
    assert (shown["owner"]["id"], shown["grantor"]["id"]) == (owner.partner.id, grantor.partner.id)
    assert shown["scopes"] == sorted(SCOPES)
    assert shown["categories"] == [{"code": "tap", "label": "Seller and Scalable Creator Match-up"}]
    assert (shown["can_decide"], shown["refused_reason"], shown["renews_grant_id"]) == (
        True,
        None,
        None,
    )

    accepted = await accept(client, request_id, grantor.admin)
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert (body["version"], body["renewed"]) == (1, False)
    location = body["redirect_to"]
    assert location.startswith(REDIRECT + "?")
    answer = query_of(location)
    assert set(answer) == {"code", "state", "iss"}
    assert (answer["state"], answer["iss"]) == ("app-state-1", ISSUER)

    async with factory.app.state.sessionmaker() as session:
        grant = await session.get(Grant, body["grant_id"])
        assert grant is not None
        assert (grant.kind, grant.grantor_id, grant.grantee_id) == (
            "partner_app",
            grantor.partner.id,
            app.client.id,
        )
        assert (grant.service_id, grant.scopes, grant.expires_at) == (
            app.client.service_id,
            frozenset(SCOPES),
            None,
        )
        assert (grant.items, grant.consented_by, grant.status) == (
            frozenset({"tap"}),
            grantor.admin_id,
            "active",
        )

    issued = await redeem(client, app, answer["code"], verifier)
    assert issued.status_code == 200, issued.text
    token = issued.json()
    active = await introspect(client, app, token["access_token"])
    assert active["active"] is True
    assert (active["sub"], active["client_id"], active["grant_id"]) == (
        grantor.partner.id,
        app.client.id,
        grant.id,
    )
    assert set(active["scope"].split()) == set(SCOPES)

    refreshed = await refresh(client, app, token["refresh_token"])
    assert refreshed.status_code == 200, refreshed.text
    assert (await introspect(client, app, refreshed.json()["access_token"]))["active"] is True


async def test_the_partner_may_narrow_the_scopes(client: AsyncClient, factory: Factory) -> None:
    grantor = await org(factory)
    app = await partner_app(factory, grantor)
    request_id, verifier = await open_link(client, app)
    response = await accept(client, request_id, grantor.admin, scopes=["partner.creator.read"])
    assert response.status_code == 200, response.text
    code = query_of(response.json()["redirect_to"])["code"]
    issued = await redeem(client, app, code, verifier)
    assert issued.json()["scope"] == "partner.creator.read"


async def test_the_link_may_narrow_the_scopes_too(client: AsyncClient, factory: Factory) -> None:
    grantor = await org(factory)
    app = await partner_app(factory, grantor)
    request_id, _ = await open_link(client, app, scope="partner.affiliate.read")
    view = await client.get(f"/v1/app-authorization-requests/{request_id}", headers=grantor.admin)
    assert view.json()["scopes"] == ["partner.affiliate.read"]


async def test_a_development_app_is_authorized_by_its_owner(
    client: AsyncClient, factory: Factory
) -> None:
    owner = await org(factory)
    app = await partner_app(factory, owner, status="development")
    _, body = await tokens(client, app, owner)
    assert (await introspect(client, app, body["access_token"]))["active"] is True


async def test_re_authorizing_renews_the_one_grant_and_retires_old_tokens(
    client: AsyncClient, factory: Factory
) -> None:
    grantor = await org(factory)
    app = await partner_app(factory, grantor)
    first_id, first = await tokens(client, app, grantor)

    request_id, _ = await open_link(client, app)
    view = await client.get(f"/v1/app-authorization-requests/{request_id}", headers=grantor.admin)
    assert view.json()["renews_grant_id"] == first_id
    again = await accept(client, request_id, grantor.admin)
    assert again.status_code == 200, again.text
    assert (again.json()["grant_id"], again.json()["version"], again.json()["renewed"]) == (
        first_id,
        2,
        True,
    )
    # DESIGN §2: any change of the grant retires tokens minted from an older version.
    assert (await introspect(client, app, first["access_token"]))["active"] is False
    async with factory.app.state.sessionmaker() as session:
        grants = (await session.scalars(select(Grant).where(Grant.kind == "partner_app"))).all()
        assert [(g.id, g.version) for g in grants] == [(first_id, 2)]


async def test_reject_sends_access_denied_to_the_app(client: AsyncClient, factory: Factory) -> None:
    grantor = await org(factory)
    app = await partner_app(factory, grantor)
    request_id, _ = await open_link(client, app)
    response = await client.post(
        f"/v1/app-authorization-requests/{request_id}/reject", headers=grantor.admin
    )
    assert response.status_code == 200, response.text
    answer = query_of(response.json()["redirect_to"])
    assert (answer["error"], answer["state"]) == ("access_denied", "app-state-1")
    again = await accept(client, request_id, grantor.admin)
    assert (again.status_code, again.json()["error"]) == (409, "request_already_decided")


async def test_the_code_belongs_to_the_grant_and_the_partner(
    client: AsyncClient, factory: Factory
) -> None:
    grantor = await org(factory)
    app = await partner_app(factory, grantor)
    grant_id, _, _ = await authorize(client, app, grantor)
    async with factory.app.state.sessionmaker() as session:
        (code,) = (await session.scalars(select(AuthorizationCode))).all()
        (family,) = (await session.scalars(select(TokenFamily))).all()
    assert (code.grant_id, code.subject, code.client_id) == (
        grant_id,
        grantor.partner.id,
        app.client.id,
    )
    assert (family.grant_id, family.subject) == (grant_id, grantor.partner.id)
