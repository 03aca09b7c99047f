"""From consent to tokens: the code redirect, redemption, and every way redemption is refused."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import jwt
import pytest
from httpx import AsyncClient

from tests.consent.helpers import decision, pick, set_row
from tests.factories import Factory
from tests.oauth.helpers import (
    REDIRECT,
    App,
    accept,
    counts,
    families,
    introspect,
    obtain_code,
    only_code,
    open_app_link,
    partner_app,
    pkce_pair,
    query_of,
    redeem,
    set_code,
    token_request,
)
from tsp_auth.clock import now
from tsp_auth.models import Client, Grant

ISSUER = "http://127.0.0.1:8000"


async def test_accept_redirects_to_the_app_with_code_state_and_iss(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    verifier, challenge = pkce_pair()
    before = now()
    location = await accept(client, app, await open_app_link(client, app, challenge))
    assert location.startswith(REDIRECT + "?")
    answer = query_of(location)
    assert set(answer) == {"code", "state", "iss"}
    assert (answer["state"], answer["iss"]) == ("st-1", ISSUER)

    code = await only_code(factory.app)
    assert code.code_hash == hashlib.sha256(answer["code"].encode()).hexdigest()
    assert answer["code"] not in (code.id, code.code_hash)
    assert (code.client_id, code.redirect_uri, code.code_challenge) == (
        app.client_id,
        REDIRECT,
        challenge,
    )
    assert code.subject == app.seller.id and code.used_at is None
    assert timedelta(0) < code.expires_at - before <= timedelta(seconds=61)
    (family,) = await families(factory.app)
    assert (family.id, family.grant_id) == (code.family_id, code.grant_id)
    assert (family.subject, family.revoked_at) == (app.seller.id, None)
    assert verifier


async def test_reject_redirects_access_denied_with_state_and_iss(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    request_id = await open_app_link(client, app, pkce_pair()[1])
    response = await client.post(
        f"/v1/authorization-requests/{request_id}/reject", headers=app.seller_headers
    )
    assert response.status_code == 200, response.text
    location = response.json()["redirect_to"]
    assert location.startswith(REDIRECT + "?")
    assert query_of(location) == {
        "error": "access_denied",
        "error_description": "the seller refused the authorization",
        "state": "st-1",
        "iss": ISSUER,
    }
    assert await families(factory.app) == []


async def test_consenting_only_to_other_services_is_access_denied_for_the_app(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    other = await factory.service(app.partner)
    request_id = await open_app_link(client, app, pkce_pair()[1])
    response = await client.post(
        f"/v1/authorization-requests/{request_id}/accept",
        json=decision(pick(other)),
        headers=app.seller_headers,
    )
    assert response.status_code == 200, response.text
    assert query_of(response.json()["redirect_to"])["error"] == "access_denied"
    assert await families(factory.app) == []


@pytest.mark.parametrize("change", ["disabled", "unregistered"])
async def test_an_app_changed_while_the_seller_decided_is_not_redirected_to(
    client: AsyncClient, factory: Factory, change: str
) -> None:
    app = await partner_app(factory)
    request_id = await open_app_link(client, app, pkce_pair()[1])
    values: dict[str, Any] = (
        {"status": "disabled"}
        if change == "disabled"
        else {"redirect_uris": ["https://x.example/"]}
    )
    await set_row(factory.app, Client, app.client_id, **values)
    location = await accept(client, app, request_id)
    assert location == f"/consent/{request_id}/done"


def _claims(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


async def test_the_code_is_exchanged_for_an_access_and_a_refresh_token(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    code, verifier = await obtain_code(client, app)
    response = await redeem(client, app, code, verifier)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert body["scope"] == "partner.affiliate.read partner.creator.read"
    assert len(body["refresh_token"]) >= 43

    assert jwt.get_unverified_header(body["access_token"])["typ"] == "at+jwt"
    claims = _claims(body["access_token"])
    row = await only_code(factory.app)
    assert claims["iss"] == ISSUER and claims["aud"] == ISSUER + "/api"
    assert (claims["sub"], claims["client_id"]) == (app.seller.id, app.client_id)
    assert (claims["grant_id"], claims["gv"], claims["fam"]) == (row.grant_id, 1, row.family_id)
    assert claims["scope"] == body["scope"]
    assert claims["exp"] - claims["iat"] == 900 and claims["jti"]
    assert row.used_at is not None


async def test_a_public_app_redeems_with_its_client_id_and_verifier(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory, client_type="public")
    code, verifier = await obtain_code(client, app)
    response = await redeem(client, app, code, verifier)
    assert response.status_code == 200, response.text


async def test_a_narrower_scope_asked_at_authorize_is_what_the_tokens_get(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    code, verifier = await obtain_code(client, app, scope="partner.creator.read")
    response = await redeem(client, app, code, verifier)
    assert response.json()["scope"] == "partner.creator.read"


async def _other_app(factory: Factory, app: App) -> App:
    other, secret = await factory.oauth_client(app.partner, redirect_uris=(REDIRECT,))
    return App(app.partner, app.service, other, secret, app.seller, app.main, app.seller_headers)


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"redirect_uri": REDIRECT + "/"}, "invalid_grant"),
        ({"redirect_uri": "https://app.example.com:444/callback"}, "invalid_grant"),
        ({"redirect_uri": None}, "invalid_grant"),
        ({"code_verifier": None}, "invalid_grant"),
        ({"code_verifier": "x" * 43}, "invalid_grant"),  # wrong verifier
        ({"code_verifier": "short"}, "invalid_grant"),
        ({"code": "not-a-code"}, "invalid_grant"),
        ({"code": None}, "invalid_request"),
    ],
)
async def test_refused_redemptions_write_nothing_and_leave_the_code_unused(
    client: AsyncClient, factory: Factory, form: dict[str, str | None], error: str
) -> None:
    app = await partner_app(factory)
    code, verifier = await obtain_code(client, app)
    before = await counts(factory.app)
    fields: dict[str, str | None] = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
        **form,
    }
    response = await token_request(client, app, **fields)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == error
    assert response.headers["cache-control"] == "no-store"
    assert await counts(factory.app) == before
    assert (await only_code(factory.app)).used_at is None
    assert (await redeem(client, app, code, verifier)).status_code == 200  # still good


async def test_a_code_is_bound_to_the_client_it_was_issued_to(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    code, verifier = await obtain_code(client, app)
    response = await redeem(client, await _other_app(factory, app), code, verifier)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
    assert (await only_code(factory.app)).used_at is None


async def test_a_verifier_without_a_challenge_is_a_refused_downgrade(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    code, _ = await obtain_code(client, app, pkce=False)
    verifier, _ = pkce_pair()
    response = await redeem(client, app, code, verifier)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
    assert (await only_code(factory.app)).used_at is None
    assert (await redeem(client, app, code, None)).status_code == 200


async def test_an_expired_code_is_refused(client: AsyncClient, factory: Factory) -> None:
    app = await partner_app(factory)
    code, verifier = await obtain_code(client, app)
    await set_code(factory.app, expires_at=now() - timedelta(seconds=1))
    before = await counts(factory.app)
    response = await redeem(client, app, code, verifier)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
    assert await counts(factory.app) == before
    assert (await only_code(factory.app)).used_at is None


@pytest.mark.parametrize("status", ["cancelled", "deactivated"])
async def test_a_code_of_a_grant_that_ended_is_refused(
    client: AsyncClient, factory: Factory, status: str
) -> None:
    app = await partner_app(factory)
    code, verifier = await obtain_code(client, app)
    await set_row(factory.app, Grant, (await only_code(factory.app)).grant_id, status=status)
    response = await redeem(client, app, code, verifier)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
    assert (await only_code(factory.app)).used_at is None


async def test_a_replayed_code_is_refused_and_revokes_what_it_issued(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    code, verifier = await obtain_code(client, app)
    first = (await redeem(client, app, code, verifier)).json()
    assert (await introspect(client, app, first["access_token"]))["active"] is True

    replay = await redeem(client, app, code, verifier)
    assert (replay.status_code, replay.json()["error"]) == (400, "invalid_grant")
    assert replay.headers["cache-control"] == "no-store"
    (family,) = await families(factory.app)
    assert (family.revoked_at is not None, family.revoked_reason) == (True, "code.replayed")
    assert (await introspect(client, app, first["access_token"]))["active"] is False
    assert (await introspect(client, app, first["refresh_token"]))["active"] is False
    refreshed = await token_request(
        client, app, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert (refreshed.status_code, refreshed.json()["error"]) == (400, "invalid_grant")
