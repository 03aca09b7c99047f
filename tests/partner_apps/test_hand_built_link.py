"""seed 004: "If the app is in development, the developer needs to generate the authorization
link manually using their app's service_id": `/open/authorize?service_id=app_…` alone works;
"Adding a state parameter is encouraged, but not required"; a development app still accepts
authorization from its owner only."""

from __future__ import annotations

from httpx import AsyncClient

from tests.consent.helpers import get_request
from tests.factories import Factory
from tests.oauth.helpers import query_of
from tests.partner_apps.helpers import REDIRECT, PartnerApp, accept, org, partner_app, written

ISSUER = "http://127.0.0.1:8000"


async def _open(client: AsyncClient, service_id: str | None, **params: str) -> str:
    assert service_id is not None
    response = await client.get("/open/authorize", params={"service_id": service_id, **params})
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("/consent/azr_"), location
    return location.removeprefix("/consent/")


async def _redeem(client: AsyncClient, app: PartnerApp, code: str) -> int:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    return (await client.post("/oauth/token", data=form, headers=app.auth())).status_code


async def test_the_service_id_alone_completes_with_the_apps_one_redirect_uri(
    client: AsyncClient, factory: Factory
) -> None:
    owner = await org(factory)
    app = await partner_app(factory, owner)
    request_id = await _open(client, app.client.service_id)
    stored = await get_request(factory.app, request_id)
    assert (stored.client_id, stored.redirect_uri, stored.state) == (app.client.id, REDIRECT, None)
    assert stored.code_challenge is None
    response = await accept(client, request_id, owner.admin)
    assert response.status_code == 200, response.text
    location = response.json()["redirect_to"]
    assert location.startswith(REDIRECT + "?")
    answer = query_of(location)
    assert set(answer) == {"code", "iss"} and answer["iss"] == ISSUER  # no state was sent
    assert await _redeem(client, app, answer["code"]) == 200


async def test_a_state_on_the_hand_built_link_comes_back(
    client: AsyncClient, factory: Factory
) -> None:
    owner = await org(factory)
    app = await partner_app(factory, owner)
    request_id = await _open(client, app.client.service_id, state="dev-state")
    response = await accept(client, request_id, owner.admin)
    assert query_of(response.json()["redirect_to"])["state"] == "dev-state"


async def test_a_development_app_accepts_only_its_owner_through_the_hand_built_link(
    client: AsyncClient, factory: Factory
) -> None:
    owner = await org(factory)
    stranger = await org(factory)
    app = await partner_app(factory, owner, status="development")
    request_id = await _open(client, app.client.service_id)
    before = await written(factory.app)
    refused = await accept(client, request_id, stranger.admin)
    assert (refused.status_code, refused.json()["error"]) == (403, "app_in_development")
    assert await written(factory.app) == before
    accepted = await accept(client, request_id, owner.admin)
    assert accepted.status_code == 200, accepted.text


async def test_an_app_with_several_redirect_uris_must_name_one(
    client: AsyncClient, factory: Factory
) -> None:
    owner = await org(factory)
    client_row, _ = await factory.oauth_client(
        owner.partner, redirect_uris=(REDIRECT, "https://app.example.com/other")
    )
    before = await written(factory.app)
    response = await client.get("/open/authorize", params={"service_id": client_row.service_id})
    assert response.status_code == 400 and "location" not in response.headers
    assert "invalid_request" in response.text and "redirect_uri" in response.text
    assert await written(factory.app) == before
    request_id = await _open(client, client_row.service_id, redirect_uri=REDIRECT)
    assert (await get_request(factory.app, request_id)).redirect_uri == REDIRECT


async def test_an_unknown_app_service_id_is_an_error_page(
    client: AsyncClient, factory: Factory
) -> None:
    response = await client.get("/open/authorize", params={"service_id": "app_nobody"})
    assert response.status_code == 400 and "location" not in response.headers
    assert "invalid_client" in response.text
