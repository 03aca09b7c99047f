"""Introspection (RFC 7662): who may ask, and when a token stops being active."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
from httpx import AsyncClient

from tests.consent.helpers import set_row
from tests.factories import Factory
from tests.oauth.helpers import REDIRECT, App, introspect, only_code, partner_app, tokens
from tsp_auth.models import Client, Grant
from tsp_auth.oauth import introspection

ISSUER = "http://127.0.0.1:8000"


async def _introspector(factory: Factory) -> dict[str, str]:
    """A first-party client holding tsp.introspect, authenticating with Basic."""
    client, secret = await factory.oauth_client(
        client_type="first_party", scopes=["tsp.introspect"]
    )
    raw = base64.b64encode(f"{client.id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


async def _ask(client: AsyncClient, headers: dict[str, str], token: str, **form: str) -> Any:
    response = await client.post(
        "/oauth/introspect", data={"token": token, **form}, headers=headers
    )
    assert response.headers["cache-control"] == "no-store"
    return response


async def test_an_active_access_token_says_who_what_and_for_whom(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    issued = await tokens(client, app)
    answer = await introspect(client, app, issued["access_token"])
    code = await only_code(factory.app)
    assert answer["active"] is True
    assert answer["token_type"] == "Bearer"
    assert (answer["sub"], answer["client_id"]) == (app.seller.id, app.client_id)
    assert (answer["iss"], answer["aud"]) == (ISSUER, ISSUER + "/api")
    assert answer["grant_id"] == code.grant_id
    assert answer["scope"] == "partner.affiliate.read partner.creator.read"
    assert answer["exp"] > answer["iat"] and answer["jti"]


async def test_a_refresh_token_introspects_by_hash(client: AsyncClient, factory: Factory) -> None:
    app = await partner_app(factory)
    issued = await tokens(client, app)
    answer = await introspect(client, app, issued["refresh_token"], token_type_hint="refresh_token")
    assert answer["active"] is True
    assert (answer["client_id"], answer["sub"]) == (app.client_id, app.seller.id)


async def _revoke(client: AsyncClient, app: App, token: str) -> None:
    response = await client.post("/oauth/revoke", data={"token": token}, headers=app.auth())
    assert response.status_code == 200


@pytest.mark.parametrize("end", ["revoked", "client disabled", "grant cancelled"])
async def test_a_remembered_access_token_dies_as_before(
    client: AsyncClient, factory: Factory, signature_checks: list[str], end: str
) -> None:
    """Its signature is checked once; revocation, the client and the grant on every call."""
    app = await partner_app(factory)
    access = (await tokens(client, app))["access_token"]
    first = await introspect(client, app, access)
    assert await introspect(client, app, access) == first
    assert first["active"] is True
    assert signature_checks.count(access) == 1
    headers = await _introspector(factory)
    if end == "revoked":
        await _revoke(client, app, access)
    elif end == "client disabled":
        await set_row(factory.app, Client, app.client_id, status="disabled")
    else:
        await set_row(factory.app, Grant, first["grant_id"], status="cancelled")

    assert (await _ask(client, headers, access)).json() == {"active": False}
    # Not checked again by introspection; revocation checks it once itself.
    assert signature_checks.count(access) == (2 if end == "revoked" else 1)


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "x" * 5000])
async def test_anything_else_is_just_inactive(
    client: AsyncClient, factory: Factory, token: str
) -> None:
    headers = await _introspector(factory)
    response = await _ask(client, headers, token)
    if token == "":
        assert (response.status_code, response.json()["error"]) == (400, "invalid_request")
    else:
        assert (response.status_code, response.json()) == (200, {"active": False})


@pytest.mark.parametrize(
    "change",
    [
        {"version": 2},  # an edit or renewal: tokens of version 1 die
        {"status": "cancelled"},
        {"status": "deactivated"},
    ],
)
async def test_a_grant_change_deactivates_the_token_at_once(
    client: AsyncClient, factory: Factory, change: dict[str, Any]
) -> None:
    app = await partner_app(factory)
    issued = await tokens(client, app)
    await set_row(factory.app, Grant, (await only_code(factory.app)).grant_id, **change)
    assert (await introspect(client, app, issued["access_token"]))["active"] is False


async def test_a_disabled_clients_tokens_are_inactive(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    issued = await tokens(client, app)
    headers = await _introspector(factory)
    await set_row(factory.app, Client, app.client_id, status="disabled")
    for token in (issued["access_token"], issued["refresh_token"]):
        assert (await _ask(client, headers, token)).json() == {"active": False}


async def test_a_first_party_introspector_sees_every_token_a_partner_app_only_its_own(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    issued = await tokens(client, app)
    other, secret = await factory.oauth_client(app.partner, redirect_uris=(REDIRECT,))
    stranger = App(app.partner, app.service, other, secret, app.seller, app.main, {})
    assert (await introspect(client, stranger, issued["access_token"])) == {"active": False}
    headers = await _introspector(factory)
    assert (await _ask(client, headers, issued["access_token"])).json()["active"] is True


async def test_a_first_party_client_without_the_scope_sees_only_its_own(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    issued = await tokens(client, app)
    plain, secret = await factory.oauth_client(client_type="first_party", scopes=["tsp.decisions"])
    response = await client.post(
        "/oauth/introspect", data={"token": issued["access_token"]}, auth=(plain.id, secret or "")
    )
    assert response.json() == {"active": False}


async def test_unauthenticated_and_public_callers_are_401(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory, client_type="public")
    issued = await tokens(client, app)
    for form in ({}, {"client_id": app.client_id}):
        response = await client.post(
            "/oauth/introspect", data={"token": issued["access_token"], **form}
        )
        assert (response.status_code, response.json()["error"]) == (401, "invalid_client")
        assert "www-authenticate" in response.headers


@pytest.fixture
def extra_introspector() -> Iterator[list[str]]:
    seen: list[str] = []

    async def login_tokens(session: Any, keyring: Any, settings: Any, token: str) -> Any:
        del session, keyring, settings
        seen.append(token)
        if token != "login-token-1":
            return None
        return {"active": True, "sub": "slr_1", "act": {"sub": "acc_member", "partner": "ptn_1"}}

    introspection.register_introspector(login_tokens, token_types=("login_token",))
    yield seen
    introspection._REGISTRY[:] = [
        entry for entry in introspection._REGISTRY if entry.introspector is not login_tokens
    ]


async def test_registered_introspectors_answer_for_their_tokens(
    client: AsyncClient, factory: Factory, extra_introspector: list[str]
) -> None:
    headers = await _introspector(factory)
    answer = (await _ask(client, headers, "login-token-1", token_type_hint="login_token")).json()
    assert answer == {
        "active": True,
        "sub": "slr_1",
        "act": {"sub": "acc_member", "partner": "ptn_1"},
    }
    assert extra_introspector == ["login-token-1"]  # hinted: asked first
    # Without client_id in the answer, only a privileged caller sees it.
    app = await partner_app(factory)
    assert (await introspect(client, app, "login-token-1")) == {"active": False}


def test_hinted_introspectors_come_first_and_registration_is_idempotent() -> None:
    builtin = introspection.introspectors()
    assert builtin[:2] == (
        introspection.introspect_access_token,
        introspection.introspect_refresh_token,
    )
    assert introspection.introspectors("refresh_token")[0] is introspection.introspect_refresh_token
    introspection.register_introspector(introspection.introspect_access_token)
    assert introspection.introspectors() == builtin
