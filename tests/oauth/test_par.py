"""Pushed authorization requests (RFC 9126, issue 23): pushed with client authentication,
followed once by the pushing client within the TTL; required per client or server-wide."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tests.conftest import asgi_client, rollback_app
from tests.consent.helpers import get_request
from tests.factories import Factory
from tests.oauth.helpers import (
    REDIRECT,
    accept,
    open_app_link,
    partner_app,
    pkce_pair,
    query_of,
    redeem,
)
from tests.oauth.par_helpers import follow, push, pushed_rows, pushed_uri, stored_requests
from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.models import Client, PushedAuthorizationRequest
from tsp_auth.oauth.opaque import digest

PREFIX = "urn:ietf:params:oauth:request_uri:"


async def test_a_pushed_request_is_followed_through_to_tokens(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    verifier, challenge = pkce_pair()
    response = await push(client, app, challenge, state="pushed-state=")
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["request_uri"].startswith(PREFIX) and body["expires_in"] == 60
    (row,) = await pushed_rows(factory.app)
    # Only the hash is kept (DESIGN §4).
    assert row.request_uri_hash == digest(body["request_uri"].removeprefix(PREFIX))
    assert (row.client_id, row.used_at) == (app.client_id, None)

    followed = await follow(client, app.client_id, body["request_uri"])
    assert followed.status_code == 303, followed.text
    request_id = followed.headers["location"].removeprefix("/consent/")
    stored = await get_request(factory.app, request_id)
    assert (stored.redirect_uri, stored.code_challenge) == (REDIRECT, challenge)
    assert stored.state == "pushed-state="
    answer = query_of(await accept(client, app, request_id))
    assert answer["state"] == "pushed-state="
    assert (await redeem(client, app, answer["code"], verifier)).status_code == 200


async def test_a_request_uri_is_used_once(client: AsyncClient, factory: Factory) -> None:
    app = await partner_app(factory)
    request_uri = await pushed_uri(client, app, pkce_pair()[1])
    assert (await follow(client, app.client_id, request_uri)).status_code == 303
    before = await stored_requests(factory.app)
    replayed = await follow(client, app.client_id, request_uri)
    assert replayed.status_code == 400
    assert "location" not in replayed.headers
    assert '<code id="error">invalid_request_uri</code>' in replayed.text
    assert await stored_requests(factory.app) == before


async def test_a_request_uri_is_bound_to_its_client(client: AsyncClient, factory: Factory) -> None:
    app, other = await partner_app(factory), await partner_app(factory)
    request_uri = await pushed_uri(client, app, pkce_pair()[1])
    before = await stored_requests(factory.app)
    stolen = await follow(client, other.client_id, request_uri)
    assert stolen.status_code == 400
    assert '<code id="error">invalid_request_uri</code>' in stolen.text
    assert await stored_requests(factory.app) == before
    # The refusal did not spend it: its own client still can.
    assert (await follow(client, app.client_id, request_uri)).status_code == 303


async def test_an_expired_request_uri_is_refused(client: AsyncClient, factory: Factory) -> None:
    app = await partner_app(factory)
    request_uri = await pushed_uri(client, app, pkce_pair()[1])
    async with factory.app.state.sessionmaker() as session:
        await session.execute(
            update(PushedAuthorizationRequest).values(expires_at=now() - timedelta(seconds=1))
        )
        await session.commit()
    before = await stored_requests(factory.app)
    response = await follow(client, app.client_id, request_uri)
    assert response.status_code == 400
    assert '<code id="error">invalid_request_uri</code>' in response.text
    assert await stored_requests(factory.app) == before


@pytest.mark.parametrize(
    "request_uri", ["urn:ietf:params:oauth:request_uri:nope", "https://evil.example/req"]
)
async def test_unknown_request_uris_are_refused(
    client: AsyncClient, factory: Factory, request_uri: str
) -> None:
    app = await partner_app(factory)
    response = await follow(client, app.client_id, request_uri)
    assert response.status_code == 400
    assert '<code id="error">invalid_request_uri</code>' in response.text


@pytest.mark.parametrize(
    ("overrides", "status", "error"),
    [
        ({"redirect_uri": "https://evil.example.com/cb"}, 400, "invalid_request"),
        ({"response_type": "token"}, 400, "unsupported_response_type"),
        ({"scope": "partner.unknown"}, 400, "invalid_scope"),
        ({"code_challenge_method": "plain"}, 400, "invalid_request"),
        ({"request_uri": PREFIX + "x"}, 400, "invalid_request"),
        ({"client_id": "cli_someone_else"}, 400, "invalid_request"),
        ({"state": "a\nb"}, 400, "invalid_request"),
    ],
)
async def test_a_bad_pushed_request_is_a_json_error_and_stores_nothing(
    client: AsyncClient, factory: Factory, overrides: dict[str, str], status: int, error: str
) -> None:
    app = await partner_app(factory)
    response = await push(client, app, pkce_pair()[1], **overrides)
    assert (response.status_code, response.json()["error"]) == (status, error), response.text
    assert await pushed_rows(factory.app) == []


async def test_pushing_needs_client_authentication(client: AsyncClient, factory: Factory) -> None:
    app = await partner_app(factory)
    wrong = {"Authorization": "Basic " + base64.b64encode(f"{app.client_id}:x".encode()).decode()}
    response = await push(client, app, pkce_pair()[1], headers=wrong)
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")
    assert await pushed_rows(factory.app) == []


async def test_a_public_client_pushes_with_its_client_id(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory, client_type="public")
    request_uri = await pushed_uri(client, app, pkce_pair()[1])
    assert (await follow(client, app.client_id, request_uri)).status_code == 303


async def test_a_client_that_must_push_is_refused_a_plain_link(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    async with factory.app.state.sessionmaker() as session:
        await session.execute(
            update(Client)
            .where(Client.id == app.client_id)
            .values(require_pushed_authorization_requests=True)
        )
        await session.commit()
    before = await stored_requests(factory.app)
    response = await client.get(
        "/open/authorize",
        params={
            "client_id": app.client_id,
            "redirect_uri": REDIRECT,
            "response_type": "code",
            "state": "s",
            "code_challenge": pkce_pair()[1],
            "code_challenge_method": "S256",
        },
    )
    assert response.status_code == 303
    answer = query_of(response.headers["location"])
    assert (answer["error"], answer["state"]) == ("invalid_request", "s")
    assert response.headers["location"].startswith(REDIRECT)
    assert await stored_requests(factory.app) == before
    # Pushed, the same request goes through.
    request_uri = await pushed_uri(client, app, pkce_pair()[1])
    assert (await follow(client, app.client_id, request_uri)).status_code == 303


async def test_the_server_can_require_par_of_every_client(
    settings: Settings, engine: AsyncEngine, connection: AsyncConnection, factory: Factory
) -> None:
    strict: FastAPI = rollback_app(
        settings.model_copy(update={"require_pushed_authorization_requests": True}),
        engine,
        connection,
    )
    app = await partner_app(factory)
    async with asgi_client(strict) as http:
        metadata = (await http.get("/.well-known/oauth-authorization-server")).json()
        assert metadata["require_pushed_authorization_requests"] is True
        assert metadata["pushed_authorization_request_endpoint"].endswith("/oauth/par")
        response = await http.get(
            "/open/authorize",
            params={
                "client_id": app.client_id,
                "redirect_uri": REDIRECT,
                "response_type": "code",
                "code_challenge": pkce_pair()[1],
                "code_challenge_method": "S256",
            },
        )
        assert query_of(response.headers["location"])["error"] == "invalid_request"
        request_uri = await pushed_uri(http, app, pkce_pair()[1])
        assert (await follow(http, app.client_id, request_uri)).status_code == 303


async def test_without_the_setting_plain_links_still_work(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    assert await open_app_link(client, app, pkce_pair()[1])
