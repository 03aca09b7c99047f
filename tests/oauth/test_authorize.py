"""`/open/authorize` with a partner app: the client and its redirect URI first, errors as pages
until both are good, then errors back to the app with state and iss (RFC 6749 §4.1.2.1)."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.consent.helpers import get_request, snapshot
from tests.factories import Factory
from tests.oauth.helpers import (
    REDIRECT,
    SCOPES,
    link_params,
    open_app_link,
    partner_app,
    pkce_pair,
    query_of,
)

ISSUER = "http://127.0.0.1:8000"


async def test_a_partner_app_link_stores_client_redirect_pkce_and_scope(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    _, challenge = pkce_pair()
    request_id = await open_app_link(client, app, challenge, scope="partner.creator.read")
    stored = await get_request(factory.app, request_id)
    assert (stored.client_id, stored.redirect_uri) == (app.client_id, REDIRECT)
    assert (stored.code_challenge, stored.code_challenge_method) == (challenge, "S256")
    assert stored.scopes == frozenset({"partner.creator.read"})
    assert stored.service_id == app.service.id


async def test_without_scope_the_apps_scopes_are_asked_and_service_id_may_be_left_out(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    # A generic OAuth client knows nothing of service_id: the app names its service.
    request_id = await open_app_link(client, app, pkce_pair()[1], service_id=None)
    stored = await get_request(factory.app, request_id)
    assert stored.service_id == app.service.id
    assert stored.scopes == frozenset(SCOPES)


async def test_a_confidential_app_may_do_without_pkce(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    stored = await get_request(factory.app, await open_app_link(client, app, None))
    assert stored.code_challenge is None and stored.code_challenge_method is None


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"client_id": "cli_unknown"}, "invalid_client"),
        ({"redirect_uri": None}, "invalid_request"),
        ({"redirect_uri": REDIRECT + "/"}, "invalid_request"),  # trailing slash
        ({"redirect_uri": "https://app.example.com:8443/callback"}, "invalid_request"),  # port
        ({"redirect_uri": REDIRECT + "/extra"}, "invalid_request"),  # extra path
        ({"redirect_uri": REDIRECT + "?next=/admin"}, "invalid_request"),  # query
        ({"redirect_uri": "https://APP.example.com/callback"}, "invalid_request"),  # case
        ({"redirect_uri": "http://app.example.com/callback"}, "invalid_request"),  # scheme
        ({"redirect_uri": "https://evil.example.com/callback"}, "invalid_request"),
        ({"service_id": "svc_other"}, "invalid_request"),  # not the app's service
    ],
)
async def test_client_or_redirect_uri_problems_are_pages_never_redirects(
    client: AsyncClient, factory: Factory, overrides: dict[str, str | None], error: str
) -> None:
    app = await partner_app(factory)
    before = await snapshot(factory.app)
    params = link_params(app, pkce_pair()[1], **overrides)
    response = await client.get("/open/authorize", params=params)
    assert response.status_code == 400
    assert "location" not in response.headers  # RFC 9700 §4.11: no open redirect
    assert response.headers["content-type"].startswith("text/html")
    assert f'<code id="error">{error}</code>' in response.text
    assert await snapshot(factory.app) == before


async def test_a_repeated_client_id_or_redirect_uri_is_a_page(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    base = "/open/authorize?response_type=code&client_id=" + app.client_id
    for query in ("&client_id=x&redirect_uri=" + REDIRECT, "&redirect_uri=a&redirect_uri=b"):
        response = await client.get(base + query)
        assert response.status_code == 400
        assert "location" not in response.headers


@pytest.mark.parametrize(
    ("client_type", "status"), [("first_party", "live"), ("confidential", "disabled")]
)
async def test_first_party_and_disabled_clients_cannot_be_authorized(
    client: AsyncClient, factory: Factory, client_type: str, status: str
) -> None:
    app = await partner_app(factory, status=status)
    if client_type == "first_party":
        first_party, _ = await factory.oauth_client(client_type="first_party", scopes=())
        app.client = first_party
    response = await client.get("/open/authorize", params=link_params(app, pkce_pair()[1]))
    assert response.status_code == 400
    assert "location" not in response.headers


def _challenge_cases() -> list[tuple[dict[str, str | None], str]]:
    _, good = pkce_pair()
    return [
        ({"response_type": "token"}, "unsupported_response_type"),  # implicit grant
        ({"response_type": "code token"}, "unsupported_response_type"),
        ({"response_type": None}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),  # RFC 7636: defaults to plain
        ({"code_challenge": None, "code_challenge_method": "S256"}, "invalid_request"),
        ({"code_challenge": good[:42]}, "invalid_request"),  # too short
        ({"code_challenge": "a" * 129}, "invalid_request"),  # too long
        ({"code_challenge": good[:42] + "!"}, "invalid_request"),  # not unreserved
        ({"scope": "partner.affiliate.write"}, "invalid_scope"),  # not enabled for the app
        ({"scope": "tsp.introspect"}, "invalid_scope"),
    ]


@pytest.mark.parametrize(("overrides", "error"), _challenge_cases())
async def test_other_errors_go_back_to_the_app_with_state_and_iss(
    client: AsyncClient, factory: Factory, overrides: dict[str, str | None], error: str
) -> None:
    app = await partner_app(factory)
    before = await snapshot(factory.app)
    params = link_params(app, pkce_pair()[1], **overrides)
    response = await client.get("/open/authorize", params=params)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith(REDIRECT + "?")
    answer = query_of(location)
    assert answer["error"] == error
    assert answer["error_description"]
    assert (answer["state"], answer["iss"]) == ("st-1", ISSUER)
    assert "code" not in answer
    assert await snapshot(factory.app) == before


async def test_a_public_app_must_use_pkce(client: AsyncClient, factory: Factory) -> None:
    app = await partner_app(factory, client_type="public")
    response = await client.get("/open/authorize", params=link_params(app, None))
    assert response.status_code == 303
    assert query_of(response.headers["location"])["error"] == "invalid_request"
    assert await open_app_link(client, app, pkce_pair()[1])  # with PKCE: fine


async def test_an_app_in_development_is_refused_for_sellers(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory, status="development")
    response = await client.get("/open/authorize", params=link_params(app, pkce_pair()[1]))
    assert response.status_code == 303
    answer = query_of(response.headers["location"])
    assert (answer["error"], answer["iss"]) == ("unauthorized_client", ISSUER)


async def test_a_repeated_oauth_parameter_goes_back_as_invalid_request(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    query = "&".join(f"{k}={v}" for k, v in link_params(app, pkce_pair()[1]).items())
    response = await client.get("/open/authorize?" + query + "&scope=a&scope=b")
    assert response.status_code == 303
    assert query_of(response.headers["location"])["error"] == "invalid_request"


async def test_no_state_means_no_state_in_the_error(client: AsyncClient, factory: Factory) -> None:
    app = await partner_app(factory)
    params = link_params(app, pkce_pair()[1], state=None, response_type="token")
    response = await client.get("/open/authorize", params=params)
    answer = query_of(response.headers["location"])
    assert "state" not in answer and answer["iss"] == ISSUER


async def test_a_redirect_uri_with_a_query_keeps_it(client: AsyncClient, factory: Factory) -> None:
    registered = "https://app.example.com/cb?tenant=7"
    app = await partner_app(factory, redirect_uris=(registered,))
    params = link_params(app, pkce_pair()[1], redirect_uri=registered, response_type="token")
    response = await client.get("/open/authorize", params=params)
    location = response.headers["location"]
    assert location.startswith("https://app.example.com/cb?tenant=7&")
    assert query_of(location)["error"] == "unsupported_response_type"
