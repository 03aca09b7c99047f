"""Refresh tokens: rotation, reuse detection (RFC 9700 §4.14.2), scope, expiry, ownership."""

from __future__ import annotations

from datetime import timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import update

from tests.consent.helpers import set_row
from tests.factories import Factory
from tests.oauth.helpers import (
    REDIRECT,
    App,
    counts,
    families,
    introspect,
    only_code,
    partner_app,
    token_request,
    tokens,
)
from tsp_auth.clock import now
from tsp_auth.models import Grant, RefreshToken


async def _refresh(client: AsyncClient, app: App, token: str, **form: str) -> dict[str, object]:
    response = await token_request(
        client, app, grant_type="refresh_token", refresh_token=token, **form
    )
    assert response.headers["cache-control"] == "no-store"
    return {"status": response.status_code, **response.json()}


async def test_a_refresh_rotates_the_refresh_token_in_the_same_family(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    first = await tokens(client, app)
    second = await _refresh(client, app, first["refresh_token"])
    assert second["status"] == 200
    assert second["refresh_token"] != first["refresh_token"]
    assert second["scope"] == first["scope"]
    assert (await introspect(client, app, first["refresh_token"]))["active"] is False
    assert (await introspect(client, app, str(second["refresh_token"])))["active"] is True
    assert (await introspect(client, app, str(second["access_token"])))["active"] is True
    (family,) = await families(factory.app)
    assert family.revoked_at is None


async def test_a_public_app_refreshes_with_its_client_id(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory, client_type="public")
    first = await tokens(client, app)
    assert (await _refresh(client, app, first["refresh_token"]))["status"] == 200


async def test_reusing_a_refresh_token_revokes_the_whole_family(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    first = await tokens(client, app)
    second = await _refresh(client, app, first["refresh_token"])
    reuse = await _refresh(client, app, first["refresh_token"])
    assert (reuse["status"], reuse["error"]) == (400, "invalid_grant")
    (family,) = await families(factory.app)
    assert family.revoked_reason == "refresh_token.reused"
    # RFC 9700 §4.14.2: the legitimate client's newest tokens die too.
    for token in (second["refresh_token"], second["access_token"], first["access_token"]):
        assert (await introspect(client, app, str(token)))["active"] is False
    later = await _refresh(client, app, str(second["refresh_token"]))
    assert (later["status"], later["error"]) == (400, "invalid_grant")


async def test_scope_may_narrow_but_never_widen(client: AsyncClient, factory: Factory) -> None:
    app = await partner_app(factory)
    first = await tokens(client, app)
    before = await counts(factory.app)
    wider = await _refresh(
        client, app, first["refresh_token"], scope="partner.creator.read partner.affiliate.write"
    )
    assert (wider["status"], wider["error"]) == (400, "invalid_scope")
    assert await counts(factory.app) == before  # the presented token is still unused
    narrow = await _refresh(client, app, first["refresh_token"], scope="partner.creator.read")
    assert (narrow["status"], narrow["scope"]) == (200, "partner.creator.read")
    # RFC 6749 §6: the new refresh token keeps the original scope.
    again = await _refresh(client, app, str(narrow["refresh_token"]))
    assert again["scope"] == "partner.affiliate.read partner.creator.read"


async def test_another_clients_refresh_token_is_invalid_grant(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    first = await tokens(client, app)
    other, secret = await factory.oauth_client(app.partner, redirect_uris=(REDIRECT,))
    thief = App(app.partner, app.service, other, secret, app.seller, app.main, app.seller_headers)
    stolen = await _refresh(client, thief, first["refresh_token"])
    assert (stolen["status"], stolen["error"]) == (400, "invalid_grant")
    assert (await _refresh(client, app, first["refresh_token"]))["status"] == 200


async def test_an_expired_refresh_token_is_invalid_grant(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    first = await tokens(client, app)
    async with factory.app.state.sessionmaker() as session:
        await session.execute(update(RefreshToken).values(expires_at=now() - timedelta(seconds=1)))
        await session.commit()
    expired = await _refresh(client, app, first["refresh_token"])
    assert (expired["status"], expired["error"]) == (400, "invalid_grant")


async def test_a_revoked_family_refuses_refresh(client: AsyncClient, factory: Factory) -> None:
    app = await partner_app(factory)
    first = await tokens(client, app)
    revoked = await client.post(
        "/oauth/revoke", data={"token": first["refresh_token"]}, headers=app.auth()
    )
    assert revoked.status_code == 200
    refused = await _refresh(client, app, first["refresh_token"])
    assert (refused["status"], refused["error"]) == (400, "invalid_grant")
    (family,) = await families(factory.app)
    assert family.revoked_reason == "revoked_by_client"  # not turned into "reuse"


@pytest.mark.parametrize("status", ["cancelled", "deactivated"])
async def test_a_grant_that_ended_refuses_refresh(
    client: AsyncClient, factory: Factory, status: str
) -> None:
    app = await partner_app(factory)
    first = await tokens(client, app)
    await set_row(factory.app, Grant, (await only_code(factory.app)).grant_id, status=status)
    before = await counts(factory.app)
    refused = await _refresh(client, app, first["refresh_token"])
    assert (refused["status"], refused["error"]) == (400, "invalid_grant")
    assert await counts(factory.app) == before


async def test_a_missing_refresh_token_is_invalid_request(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    response = await token_request(client, app, grant_type="refresh_token")
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")
