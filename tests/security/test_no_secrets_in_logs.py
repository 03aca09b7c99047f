"""No credential reaches a log line (RFC 6749 §10.3, §10.4; RFC 6750 §5.3; DESIGN §3 "Ops").

Every log record of a full run — client registration and secret rotation, consent on the
page and through the API, code, token, refresh, introspection, revocation, a few refusals
presenting credentials, TSP access login, console session, decision, logout — is rendered
as the service would write it (the JSON formatter, extras and traceback included), at DEBUG
for every logger (SQL and driver logs too), and searched for each literal secret and token.
"""

from __future__ import annotations

import base64
import logging

import pytest
from httpx import AsyncClient

from tests.consent.helpers import decision, pick
from tests.consent_page.helpers import form, open_form, service_fields, sign_in, submit
from tests.factories import Factory
from tests.oauth.helpers import (
    REDIRECT,
    App,
    link_params,
    pkce_pair,
    query_of,
    token_request,
)
from tests.tsp_access.helpers import make_world
from tsp_auth.identity.callers import IDENTITY_COOKIE
from tsp_auth.models import Client
from tsp_auth.observability.logs import JsonFormatter


def _rendered(records: list[logging.LogRecord]) -> str:
    formatter = JsonFormatter()
    lines = []
    for record in records:
        lines.append(formatter.format(record))
        if record.exc_info:
            lines.append(formatter.formatException(record.exc_info))
    return "\n".join(lines)


async def _oauth_flow(client: AsyncClient, factory: Factory, secrets: list[str]) -> None:
    partner = await factory.partner()
    service = await factory.service(partner)
    admin = await factory.account("partner", "admin", partner_id=partner.id)
    admin_headers = await factory.headers(admin)
    secrets.append(admin_headers["Authorization"].removeprefix("Bearer "))
    registered = await client.post(
        "/v1/clients",
        json={
            "name": "app",
            "client_type": "confidential",
            "service_id": service.id,
            "redirect_uris": [REDIRECT],
            "scopes": ["partner.affiliate.read"],
        },
        headers=admin_headers,
    )
    assert registered.status_code == 201, registered.text
    client_id = registered.json()["client_id"]
    rotated = await client.post(f"/v1/clients/{client_id}/secret", headers=admin_headers)
    assert rotated.status_code == 200, rotated.text
    secret = rotated.json()["client_secret"]
    secrets += [registered.json()["client_secret"], secret]
    live = await client.patch(
        f"/v1/clients/{client_id}", json={"status": "live"}, headers=admin_headers
    )
    assert live.status_code == 200, live.text
    seller, main = await factory.seller()
    seller_headers = await factory.headers(main)
    secrets.append(seller_headers["Authorization"].removeprefix("Bearer "))
    app = App(
        partner,
        service,
        await _client_row(factory, client_id),
        secret,
        seller,
        main,
        seller_headers,
    )

    verifier, challenge = pkce_pair()
    opened = await client.get("/open/authorize", params=link_params(app, challenge))
    request_id = opened.headers["location"].removeprefix("/consent/")
    accepted = await client.post(
        f"/v1/authorization-requests/{request_id}/accept",
        json=decision(pick(service)),
        headers=seller_headers,
    )
    assert accepted.status_code == 200, accepted.text
    code = query_of(accepted.json()["redirect_to"])["code"]
    secrets += [code, verifier]
    form_body = {"code": code, "redirect_uri": REDIRECT, "code_verifier": verifier}
    issued = (await token_request(client, app, grant_type="authorization_code", **form_body)).json()
    refreshed = (
        await token_request(
            client, app, grant_type="refresh_token", refresh_token=issued["refresh_token"]
        )
    ).json()
    secrets += [issued["access_token"], issued["refresh_token"]]
    secrets += [refreshed["access_token"], refreshed["refresh_token"]]
    for token in (refreshed["access_token"], refreshed["refresh_token"]):
        assert (
            await client.post("/oauth/introspect", data={"token": token}, headers=app.auth())
        ).status_code == 200
    # Refusals that carry credentials: a replayed code and refresh token, a wrong secret.
    await token_request(client, app, grant_type="authorization_code", **form_body)
    await token_request(
        client, app, grant_type="refresh_token", refresh_token=issued["refresh_token"]
    )
    wrong = "wrong-" + secret
    secrets.append(wrong)
    basic = base64.b64encode(f"{client_id}:{wrong}".encode()).decode()
    await token_request(
        client, app, headers={"Authorization": f"Basic {basic}"}, grant_type="client_credentials"
    )
    await client.post(
        "/oauth/revoke", data={"token": refreshed["refresh_token"]}, headers=app.auth()
    )


async def _client_row(factory: Factory, client_id: str) -> Client:
    async with factory.app.state.sessionmaker() as session:
        row = await session.get(Client, client_id)
        assert row is not None
        return row


async def _tsp_access_flow(client: AsyncClient, factory: Factory, secrets: list[str]) -> None:
    world = await make_world(factory)
    headers = await factory.headers(world.member)
    await factory.assignment(world.member, world.seller)
    secrets.append(headers["Authorization"].removeprefix("Bearer "))
    issued = await client.post(
        "/v1/tsp-access/login", json={"seller_id": world.seller.id}, headers=headers
    )
    login_token = issued.json()["login_token"]
    started = await client.post(
        "/v1/tsp-access/sessions", json={"login_token": login_token, "browser_profile": "chrome-1"}
    )
    assert started.status_code == 201, started.text
    session_token = started.json()["session_token"]
    secrets += [login_token, session_token]
    await client.post("/v1/tsp-access/sessions", json={"login_token": login_token})  # replay
    for action in ("seller_center.orders", "creator_im.send"):
        await client.post(
            "/v1/decisions",
            json={"token": session_token, "action": action, "shop_id": world.seller.id},
        )
    await client.delete(
        "/v1/tsp-access/sessions/current", headers={"Authorization": f"Bearer {session_token}"}
    )
    await client.get("/v1/me", headers={"Authorization": "Bearer " + login_token})  # refused


async def _consent_page_flow(client: AsyncClient, factory: Factory, secrets: list[str]) -> None:
    partner = await factory.partner()
    service = await factory.service(partner)
    _seller, main = await factory.seller()
    opened = await client.get("/open/authorize", params={"service_id": service.id, "state": "s"})
    request_id = opened.headers["location"].removeprefix("/consent/")
    await sign_in(client, main)
    cookie = client.cookies.get(IDENTITY_COOKIE)
    assert cookie
    _, csrf = await open_form(client, request_id)
    secrets += [cookie, csrf]
    decided = await submit(client, request_id, form(csrf, service_fields(service)))
    assert decided.status_code == 303, decided.text
    client.cookies.clear()


async def test_no_secret_or_token_appears_in_any_log_line_rfc6749_10_3(
    client: AsyncClient, factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    settings = factory.app.state.settings
    secrets = [
        settings.id_token_secret.get_secret_value(),
        settings.key_wrapping_key.get_secret_value(),
    ]
    caplog.set_level(logging.DEBUG)
    await _oauth_flow(client, factory, secrets)
    await _tsp_access_flow(client, factory, secrets)
    await _consent_page_flow(client, factory, secrets)
    assert len(secrets) >= 18
    assert len(caplog.records) > 20  # the flow was logged: the access log has a line per request
    text = _rendered(caplog.records)
    leaked = [s[:12] + "…" for s in secrets if s and s in text]
    assert leaked == []
    assert "Bearer " not in text
    assert "Basic " not in text
