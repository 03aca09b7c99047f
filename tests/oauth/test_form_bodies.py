"""The OAuth endpoints read their urlencoded form once, in the route (``oauth.http.read_form``),
and answer exactly as FastAPI's ``Form`` handling did: decoding, absent empty values, limits."""

from __future__ import annotations

from fastapi import FastAPI
from httpx import AsyncClient

from tests.factories import Factory
from tests.oauth.helpers import counts

FORM = {"content-type": "application/x-www-form-urlencoded"}


async def _first_party(factory: Factory) -> tuple[str, str]:
    client, secret = await factory.oauth_client(
        client_type="first_party", scopes=["tsp.introspect", "tsp.decisions"]
    )
    return client.id, secret or ""


async def test_values_are_percent_and_plus_decoded(client: AsyncClient, factory: Factory) -> None:
    auth = await _first_party(factory)
    issued = await client.post(
        "/oauth/token", content="grant_type=client%5Fcredentials", headers=FORM, auth=auth
    )
    assert issued.status_code == 200
    spaced = await client.post("/oauth/token", content="grant_type=pass+word", headers=FORM)
    assert spaced.status_code == 400
    assert spaced.json()["error"] == "unsupported_grant_type"
    assert spaced.json()["error_description"] == "grant_type 'pass word' is not supported"


async def test_an_empty_value_counts_as_absent(client: AsyncClient, factory: Factory) -> None:
    auth = await _first_party(factory)
    response = await client.post(
        "/oauth/token", content="grant_type=client_credentials&scope=", headers=FORM, auth=auth
    )
    assert response.status_code == 200
    assert set(response.json()["scope"].split()) == {"tsp.introspect", "tsp.decisions"}
    missing = await client.post("/oauth/token", content="grant_type=&scope=x", headers=FORM)
    assert missing.status_code == 400
    assert missing.json()["error_description"] == "grant_type: Field required"


async def test_repeated_parameters_are_all_named(
    client: AsyncClient, app: FastAPI, factory: Factory
) -> None:
    auth = await _first_party(factory)
    before = await counts(app)
    response = await client.post(
        "/oauth/token",
        content="grant_type=client_credentials&b=1&a=2&b=3&a=",
        headers=FORM,
        auth=auth,
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert response.json()["error_description"] == "parameters given more than once: a, b"
    assert await counts(app) == before


async def test_a_flood_of_fields_is_refused(
    client: AsyncClient, app: FastAPI, factory: Factory
) -> None:
    auth = await _first_party(factory)
    before = await counts(app)
    body = "grant_type=client_credentials&" + "&".join(f"f{n}=1" for n in range(1000))
    response = await client.post("/oauth/token", content=body, headers=FORM, auth=auth)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert response.json()["error_description"] == (
        "Too many fields. Maximum number of fields is 1000."
    )
    assert await counts(app) == before


async def test_field_bounds_are_worded_as_before(client: AsyncClient) -> None:
    long_id = await client.post(
        "/oauth/revoke", content="token=abc&client_id=" + "c" * 65, headers=FORM
    )
    assert long_id.status_code == 400
    assert long_id.json()["error_description"] == (
        "client_id: String should have at most 64 characters"
    )
    repeated = await client.post("/oauth/introspect", content="token=a&token=b", headers=FORM)
    assert repeated.status_code == 400
    assert repeated.json()["error_description"] == "parameters given more than once: token"
    assert repeated.headers["cache-control"] == "no-store"
    assert repeated.headers["pragma"] == "no-cache"
