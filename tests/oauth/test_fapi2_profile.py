"""The fapi2 client profile (issue 23): PAR, PKCE S256, DPoP and private_key_jwt, each
refused by its reason code; opt-in per partner app, or required of every live partner app."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tests.conftest import asgi_client, rollback_app
from tests.factories import Factory
from tests.oauth.dpop_helpers import dpop_token_request
from tests.oauth.helpers import (
    REDIRECT,
    App,
    Counts,
    accept,
    counts,
    partner_app,
    pkce_pair,
    query_of,
    token_request,
)
from tests.oauth.jose_helpers import ClientKey, assertion_form
from tests.oauth.par_helpers import follow, pushed_rows, stored_requests
from tests.oauth.test_private_key_jwt import keyed_app
from tsp_auth.config import Settings
from tsp_auth.models import AuthorizationCode

NOTHING = Counts(refresh_tokens=0, used_codes=0, revoked_families=0)


def _request(app: App, challenge: str | None, **extra: str) -> dict[str, str]:
    params = {
        "client_id": app.client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "state": "st",
        **extra,
    }
    if challenge is not None:
        params |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    return params


async def _push(http: AsyncClient, app: App, key: ClientKey, challenge: str | None) -> Any:
    form = {**_request(app, challenge), **assertion_form(key, app.client_id)}
    return await http.post("/oauth/par", data=form)


async def test_a_fapi2_client_completes_the_flow_with_every_rule_met(
    client: AsyncClient, factory: Factory
) -> None:
    signing, binding = ClientKey.generate("PS256"), ClientKey.generate("EdDSA")
    app = await keyed_app(factory, signing, profile="fapi2")
    verifier, challenge = pkce_pair()
    pushed = await _push(client, app, signing, challenge)
    assert pushed.status_code == 201, pushed.text
    followed = await follow(client, app.client_id, pushed.json()["request_uri"])
    assert followed.status_code == 303, followed.text
    request_id = followed.headers["location"].removeprefix("/consent/")
    code = query_of(await accept(client, app, request_id))["code"]
    async with factory.app.state.sessionmaker() as session:
        row = (await session.scalars(select(AuthorizationCode))).one()
        assert (row.expires_at - row.created_at).total_seconds() <= 60  # FAPI 2.0 §5.3.2.1
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    }
    issued = await dpop_token_request(client, app, binding, form, signing)
    assert issued.status_code == 200, issued.text
    claims = jwt.decode(issued.json()["access_token"], options={"verify_signature": False})
    assert claims["cnf"]["jkt"] == binding.thumbprint()


async def test_an_authorization_request_that_was_not_pushed_is_par_required(
    client: AsyncClient, factory: Factory
) -> None:
    app = await keyed_app(factory, ClientKey.generate(), profile="fapi2")
    before = await stored_requests(factory.app)
    response = await client.get("/open/authorize", params=_request(app, pkce_pair()[1]))
    assert response.status_code == 303
    answer = query_of(response.headers["location"])
    assert (answer["error"], answer["state"]) == ("par_required", "st")
    assert await stored_requests(factory.app) == before


async def test_a_pushed_request_without_pkce_is_pkce_required(
    client: AsyncClient, factory: Factory
) -> None:
    key = ClientKey.generate()
    app = await keyed_app(factory, key, profile="fapi2")
    response = await _push(client, app, key, None)
    assert (response.status_code, response.json()["error"]) == (400, "pkce_required")
    assert await pushed_rows(factory.app) == []


async def test_a_token_request_without_dpop_is_dpop_required(
    client: AsyncClient, factory: Factory
) -> None:
    key = ClientKey.generate()
    app = await keyed_app(factory, key, profile="fapi2")
    form = {"grant_type": "refresh_token", "refresh_token": "x"}
    form |= assertion_form(key, app.client_id)
    response = await client.post("/oauth/token", data=form)
    assert (response.status_code, response.json()["error"]) == (400, "dpop_required")
    assert await counts(factory.app) == NOTHING


async def test_partner_apps_opt_in_and_out_with_patch(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner(categories=("tap",))
    admin = await factory.headers(await factory.account("partner", "admin", partner_id=partner.id))
    body = {
        "name": "FAPI app",
        "client_type": "confidential",
        "redirect_uris": [REDIRECT],
        "scopes": ["partner.affiliate.read"],
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks": ClientKey.generate().jwks(),
    }
    created = (await client.post("/v1/clients", json=body, headers=admin)).json()
    path = f"/v1/clients/{created['client_id']}"
    opted = await client.patch(path, json={"profile": "fapi2"}, headers=admin)
    assert (opted.status_code, opted.json()["profile"]) == (200, "fapi2")
    out = await client.patch(path, json={"profile": "none"}, headers=admin)
    assert (out.status_code, out.json()["profile"]) == (200, None)
    with_secret = {**body, "token_endpoint_auth_method": None, "jwks": None}
    secret_app = await client.post("/v1/clients", json=with_secret, headers=admin)
    refused = await client.patch(
        f"/v1/clients/{secret_app.json()['client_id']}", json={"profile": "fapi2"}, headers=admin
    )
    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_client_metadata")


@pytest.fixture
async def fapi2_server(settings: Settings, engine: AsyncEngine, connection: AsyncConnection) -> Any:
    strict = settings.model_copy(update={"require_fapi2_for_live_partner_apps": True})
    app: FastAPI = rollback_app(strict, engine, connection)
    async with asgi_client(app) as http:
        yield http


async def test_the_server_can_hold_every_live_partner_app_to_fapi2(
    factory: Factory, fapi2_server: AsyncClient
) -> None:
    live = await partner_app(factory)
    refused = await token_request(fapi2_server, live, grant_type="refresh_token", refresh_token="x")
    assert (refused.status_code, refused.json()["error"]) == (400, "private_key_jwt_required")
    plain = await fapi2_server.get("/open/authorize", params=_request(live, pkce_pair()[1]))
    assert query_of(plain.headers["location"])["error"] == "par_required"
    # An app in development is not held to it yet.
    developing = await partner_app(factory, status="development")
    form = {"grant_type": "refresh_token", "refresh_token": "x"}
    answer = await token_request(fapi2_server, developing, **form)
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_grant")
