"""private_key_jwt (RFC 7523, OIDC Core §9; issue 23): registration with RFC 7591's names,
assertions at the token, PAR, introspection and revocation endpoints, and every refusal."""

from __future__ import annotations

import time
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select

from tests.factories import Factory
from tests.oauth.helpers import App, partner_app, pkce_pair
from tests.oauth.jose_helpers import ISSUER, ClientKey, assertion, assertion_form
from tests.oauth.par_helpers import pushed_rows
from tsp_auth.models import Client, UsedJti

REDIRECT = "https://app.example.com/callback"


async def keyed_app(factory: Factory, key: ClientKey, **columns: Any) -> App:
    app = await partner_app(factory)
    async with factory.app.state.sessionmaker() as session:
        row = await session.get(Client, app.client_id)
        assert row is not None
        row.token_endpoint_auth_method = "private_key_jwt"
        row.jwks = key.jwks()
        row.secret_hash = None
        for name, value in columns.items():
            setattr(row, name, value)
        await session.commit()
    app.secret = None
    return app


async def _used_jtis(factory: Factory) -> int:
    async with factory.app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(UsedJti)) or 0)


async def _client_credentials(http: AsyncClient, form: dict[str, str]) -> Any:
    return await http.post("/oauth/token", data={"grant_type": "client_credentials", **form})


async def _introspect(http: AsyncClient, form: dict[str, str]) -> Any:
    return await http.post("/oauth/introspect", data={"token": "x", **form})


@pytest.mark.parametrize("alg", ["ES256", "PS256", "EdDSA"])
async def test_an_assertion_authenticates_the_client(
    client: AsyncClient, factory: Factory, alg: str
) -> None:
    key = ClientKey.generate(alg)
    app = await keyed_app(factory, key)
    answer = await _introspect(client, assertion_form(key, app.client_id))
    assert (answer.status_code, answer.json()) == (200, {"active": False}), answer.text
    assert await _used_jtis(factory) == 1


@pytest.mark.parametrize(
    "aud", [ISSUER, f"{ISSUER}/oauth/token", f"{ISSUER}/oauth/introspect", [ISSUER, "x"]]
)
async def test_the_audiences_we_accept(client: AsyncClient, factory: Factory, aud: Any) -> None:
    key = ClientKey.generate()
    app = await keyed_app(factory, key)
    answer = await _introspect(client, assertion_form(key, app.client_id, aud=aud))
    assert answer.status_code == 200, answer.text


async def test_a_replayed_assertion_is_refused(client: AsyncClient, factory: Factory) -> None:
    key = ClientKey.generate()
    app = await keyed_app(factory, key)
    form = assertion_form(key, app.client_id)
    assert (await _introspect(client, form)).status_code == 200
    replayed = await _introspect(client, form)
    assert (replayed.status_code, replayed.json()["error"]) == (401, "invalid_client")
    assert "replayed" in replayed.json()["error_description"]
    assert await _used_jtis(factory) == 1


def _now() -> int:
    return int(time.time())


@pytest.mark.parametrize(
    "overrides",
    [
        {"aud": "https://other.example.com"},
        {"aud": f"{ISSUER}/oauth/revoke"},  # another endpoint of ours than the one called
        {"iss": "cli_someone"},
        {"exp": None},
        {"exp": 1_000_000},
        {"exp": 4_000_000_000},  # far beyond the bounded lifetime
        {"jti": None},
        {"iat": 4_000_000_000},
    ],
)
async def test_bad_claims_are_refused_and_spend_nothing(
    client: AsyncClient, factory: Factory, overrides: dict[str, Any]
) -> None:
    key = ClientKey.generate()
    app = await keyed_app(factory, key)
    refused = await _introspect(client, assertion_form(key, app.client_id, **overrides))
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client"), overrides
    assert await _used_jtis(factory) == 0


async def test_a_key_the_client_did_not_register_is_refused(
    client: AsyncClient, factory: Factory
) -> None:
    key, stranger = ClientKey.generate(), ClientKey.generate()
    stranger.kid = key.kid
    app = await keyed_app(factory, key)
    refused = await _introspect(client, assertion_form(stranger, app.client_id))
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
    assert await _used_jtis(factory) == 0


async def test_a_keyed_client_authenticates_no_other_way_and_a_secret_client_not_so(
    client: AsyncClient, factory: Factory
) -> None:
    key = ClientKey.generate()
    keyed = await keyed_app(factory, key)
    no_secret = await _introspect(client, {"client_id": keyed.client_id})
    assert (no_secret.status_code, no_secret.json()["error"]) == (401, "invalid_client")
    secret_app = await partner_app(factory)
    signed = await _introspect(client, assertion_form(key, secret_app.client_id))
    assert (signed.status_code, signed.json()["error"]) == (401, "invalid_client")


async def test_two_methods_at_once_are_invalid_request(
    client: AsyncClient, factory: Factory
) -> None:
    key = ClientKey.generate()
    app = await keyed_app(factory, key)
    both = {**assertion_form(key, app.client_id), "client_secret": "x"}
    answer = await _introspect(client, both)
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_request")
    wrong_type = {**assertion_form(key, app.client_id), "client_assertion_type": "jwt"}
    answer = await _introspect(client, wrong_type)
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_request")


async def test_assertions_at_par_token_and_revocation(
    client: AsyncClient, factory: Factory
) -> None:
    key = ClientKey.generate()
    app = await keyed_app(factory, key)
    params = {
        "client_id": app.client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "code_challenge": pkce_pair()[1],
        "code_challenge_method": "S256",
    }
    pushed = await client.post("/oauth/par", data={**params, **assertion_form(key, app.client_id)})
    assert pushed.status_code == 201, pushed.text
    assert len(await pushed_rows(factory.app)) == 1
    revoked = await client.post(
        "/oauth/revoke", data={"token": "x", **assertion_form(key, app.client_id)}
    )
    assert revoked.status_code == 200, revoked.text
    # client_credentials is not a partner app's grant: authenticated, then unauthorized.
    token = await _client_credentials(client, assertion_form(key, app.client_id))
    assert token.json()["error"] == "unauthorized_client"


async def test_a_first_party_client_gets_tokens_with_an_assertion(
    client: AsyncClient, factory: Factory
) -> None:
    key = ClientKey.generate("EdDSA")
    first, _ = await factory.oauth_client(
        client_type="first_party",
        scopes=["tsp.introspect"],
        token_endpoint_auth_method="private_key_jwt",
        jwks=key.jwks(),
    )
    issued = await _client_credentials(client, assertion_form(key, first.id))
    assert issued.status_code == 200, issued.text
    assert issued.json()["token_type"] == "Bearer"


async def test_assertion_without_sub_is_invalid_client(client: AsyncClient) -> None:
    key = ClientKey.generate()
    form = {
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion(key, "cli_x", sub=None),
    }
    answer = await _introspect(client, form)
    assert (answer.status_code, answer.json()["error"]) == (401, "invalid_client")
