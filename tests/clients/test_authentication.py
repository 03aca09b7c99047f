"""Client authentication at the token endpoint (RFC 6749 §2.3): Basic, post, none."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from httpx import AsyncClient

from tests.factories import Factory
from tsp_auth.models import Client

FORM = {"grant_type": "client_credentials"}


async def _first_party(factory: Factory, **kwargs: Any) -> tuple[Client, str]:
    client, secret = await factory.oauth_client(
        client_type="first_party", scopes=["tsp.introspect"], **kwargs
    )
    assert secret is not None
    return client, secret


def _basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


async def test_client_secret_basic_and_post_both_work(
    client: AsyncClient, factory: Factory
) -> None:
    first_party, secret = await _first_party(factory)
    basic = await client.post("/oauth/token", data=FORM, headers=_basic(first_party.id, secret))
    post = await client.post(
        "/oauth/token", data={**FORM, "client_id": first_party.id, "client_secret": secret}
    )
    assert (basic.status_code, post.status_code) == (200, 200), (basic.text, post.text)


async def test_basic_credentials_are_form_urlencoded_first(
    client: AsyncClient, factory: Factory
) -> None:
    # RFC 6749 §2.3.1: the id and secret are application/x-www-form-urlencoded, then Basic.
    first_party, secret = await _first_party(factory)
    encoded_id = first_party.id.replace("_", "%5F")
    response = await client.post("/oauth/token", data=FORM, headers=_basic(encoded_id, secret))
    assert response.status_code == 200, response.text


async def test_unknown_client_and_wrong_secret_get_the_same_answer(
    client: AsyncClient, factory: Factory
) -> None:
    first_party, _ = await _first_party(factory)
    answers = [
        await client.post("/oauth/token", data=FORM, headers=_basic(client_id, "wrong"))
        for client_id in (first_party.id, "cli_nobody")
    ]
    for answer in answers:
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"].startswith('Basic realm="tsp-auth"')
        assert answer.headers["cache-control"] == "no-store"
    bodies = [{k: v for k, v in a.json().items() if k != "request_id"} for a in answers]
    assert (
        bodies[0]
        == bodies[1]
        == {
            "error": "invalid_client",
            "error_description": "client authentication failed",
        }
    )


async def test_wrong_secret_in_the_body_is_401_too(client: AsyncClient, factory: Factory) -> None:
    first_party, _ = await _first_party(factory)
    response = await client.post(
        "/oauth/token", data={**FORM, "client_id": first_party.id, "client_secret": "nope"}
    )
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Basic not-base64!"}, {"Authorization": "Basic " + "bm9jb2xvbg=="}],
    ids=["none", "malformed", "no_colon"],
)
async def test_missing_or_malformed_credentials_are_invalid_client(
    client: AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.post("/oauth/token", data=FORM, headers=headers)
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")


async def test_a_confidential_client_cannot_skip_its_secret(
    client: AsyncClient, factory: Factory
) -> None:
    first_party, _ = await _first_party(factory)
    response = await client.post("/oauth/token", data={**FORM, "client_id": first_party.id})
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")


async def test_a_public_client_has_no_secret_to_present(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    public, _ = await factory.oauth_client(partner, client_type="public")
    response = await client.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": "x"},
        headers=_basic(public.id, "made-up"),
    )
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")


async def test_two_methods_at_once_are_invalid_request(
    client: AsyncClient, factory: Factory
) -> None:
    first_party, secret = await _first_party(factory)
    both = await client.post(
        "/oauth/token",
        data={**FORM, "client_secret": secret},
        headers=_basic(first_party.id, secret),
    )
    other_id = await client.post(
        "/oauth/token",
        data={**FORM, "client_id": "cli_else"},
        headers=_basic(first_party.id, secret),
    )
    same_id = await client.post(
        "/oauth/token",
        data={**FORM, "client_id": first_party.id},
        headers=_basic(first_party.id, secret),
    )
    assert (both.status_code, both.json()["error"]) == (400, "invalid_request")
    assert (other_id.status_code, other_id.json()["error"]) == (400, "invalid_request")
    assert same_id.status_code == 200


async def test_a_disabled_client_is_refused(client: AsyncClient, factory: Factory) -> None:
    first_party, secret = await _first_party(factory, status="disabled")
    response = await client.post("/oauth/token", data=FORM, headers=_basic(first_party.id, secret))
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")
    assert response.json()["error_description"] == "this client is disabled"
