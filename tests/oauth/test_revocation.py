"""Revocation (RFC 7009): refresh tokens take their family with them, access tokens their jti."""

from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy import select

from tests.factories import Factory
from tests.oauth.helpers import REDIRECT, App, counts, families, introspect, partner_app, tokens
from tsp_auth.models import RevokedToken


async def _revoke(client: AsyncClient, app: App, token: str, **form: str) -> int:
    response = await client.post(
        "/oauth/revoke", data={"token": token, **app.form_auth(), **form}, headers=app.auth()
    )
    assert response.headers["cache-control"] == "no-store"
    return response.status_code


async def test_revoking_a_refresh_token_revokes_its_family(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    issued = await tokens(client, app)
    assert await _revoke(client, app, issued["refresh_token"]) == 200
    (family,) = await families(factory.app)
    assert family.revoked_reason == "revoked_by_client"
    for token in (issued["refresh_token"], issued["access_token"]):
        assert (await introspect(client, app, token))["active"] is False


async def test_revoking_an_access_token_lists_its_jti_until_it_expires(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    issued = await tokens(client, app)
    answer = await introspect(client, app, issued["access_token"])
    assert await _revoke(client, app, issued["access_token"], token_type_hint="access_token") == 200
    assert await _revoke(client, app, issued["access_token"]) == 200  # twice: still fine
    async with factory.app.state.sessionmaker() as session:
        (row,) = (await session.scalars(select(RevokedToken))).all()
    assert row.jti == answer["jti"]
    assert int(row.expires_at.timestamp()) == answer["exp"]
    assert (await introspect(client, app, issued["access_token"]))["active"] is False
    # The refresh token and its family live on (RFC 7009 §2.1: "MAY" revoke the grant too).
    assert (await introspect(client, app, issued["refresh_token"]))["active"] is True


async def test_a_public_app_revokes_with_its_client_id(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory, client_type="public")
    issued = await tokens(client, app)
    assert await _revoke(client, app, issued["refresh_token"]) == 200
    assert (await families(factory.app))[0].revoked_at is not None


async def test_unknown_or_dead_tokens_are_answered_200(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    for token in ("garbage", "a.b.c", "eyJhbGciOiJFUzI1NiJ9.e30.sig"):
        assert await _revoke(client, app, token) == 200


async def test_another_clients_token_is_refused_and_left_alone(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    issued = await tokens(client, app)
    other, secret = await factory.oauth_client(app.partner, redirect_uris=(REDIRECT,))
    stranger = App(app.partner, app.service, other, secret, app.seller, app.main, {})
    before = await counts(factory.app)
    for token in (issued["refresh_token"], issued["access_token"]):
        response = await client.post(
            "/oauth/revoke", data={"token": token}, headers=stranger.auth()
        )
        assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
    assert await counts(factory.app) == before
    assert (await introspect(client, app, issued["access_token"]))["active"] is True


async def test_revocation_needs_client_authentication(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    issued = await tokens(client, app)
    response = await client.post("/oauth/revoke", data={"token": issued["refresh_token"]})
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")
    assert (await families(factory.app))[0].revoked_at is None
