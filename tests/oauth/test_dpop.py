"""DPoP at the token endpoint (RFC 9449; issue 23): bound access tokens (cnf.jkt, token_type
DPoP), nonces, single-use proofs, public clients' bound refresh tokens, and every refusal."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jwt
import pytest
from httpx import AsyncClient
from sqlalchemy import func, select, update

from tests.factories import Factory
from tests.oauth.dpop_helpers import TOKEN_URL, dpop_token_request, nonce_of
from tests.oauth.helpers import (
    REDIRECT,
    App,
    Counts,
    counts,
    introspect,
    obtain_code,
    partner_app,
    token_request,
)
from tests.oauth.jose_helpers import ClientKey, dpop_proof
from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.models import Client, UsedJti
from tsp_auth.oauth.dpop import check_proof
from tsp_auth.oauth.dpop_nonces import current_nonce
from tsp_auth.oauth.errors import InvalidDpopProof

NOTHING = Counts(refresh_tokens=0, used_codes=0, revoked_families=0)


def _code_form(code: str, verifier: str | None) -> dict[str, Any]:
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    }


async def _bound_tokens(http: AsyncClient, app: App, key: ClientKey) -> dict[str, Any]:
    code, verifier = await obtain_code(http, app)
    response = await dpop_token_request(http, app, key, _code_form(code, verifier))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _proofs_spent(factory: Factory) -> int:
    async with factory.app.state.sessionmaker() as session:
        statement = select(func.count()).select_from(UsedJti).where(UsedJti.kind == "dpop_proof")
        return int(await session.scalar(statement) or 0)


@pytest.mark.parametrize("alg", ["ES256", "PS256", "EdDSA"])
async def test_a_code_exchanged_with_a_proof_gives_a_bound_token(
    client: AsyncClient, factory: Factory, alg: str
) -> None:
    app, key = await partner_app(factory), ClientKey.generate(alg)
    code, verifier = await obtain_code(client, app)
    response = await dpop_token_request(client, app, key, _code_form(code, verifier))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "DPoP"
    assert response.headers["dpop-nonce"]  # §8.2: the next nonce comes with the answer
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["cnf"] == {"jkt": key.thumbprint()}
    seen = await introspect(client, app, body["access_token"])
    assert (seen["active"], seen["token_type"], seen["cnf"]) == (True, "DPoP", claims["cnf"])


async def test_a_proof_without_the_servers_nonce_is_answered_with_one_and_spends_nothing(
    client: AsyncClient, factory: Factory
) -> None:
    app, key = await partner_app(factory), ClientKey.generate()
    code, verifier = await obtain_code(client, app)
    response = await client.post(
        "/oauth/token",
        data=_code_form(code, verifier),
        headers={**app.auth(), "DPoP": dpop_proof(key, "POST", TOKEN_URL)},
    )
    assert (response.status_code, response.json()["error"]) == (400, "use_dpop_nonce")
    assert response.headers["dpop-nonce"]
    assert await counts(factory.app) == NOTHING
    assert await _proofs_spent(factory) == 0


async def test_a_stale_nonce_is_refused(
    client: AsyncClient, factory: Factory, settings: Settings
) -> None:
    app, key = await partner_app(factory), ClientKey.generate()
    code, verifier = await obtain_code(client, app)
    stale = current_nonce(settings, now() - timedelta(minutes=3))
    response = await dpop_token_request(client, app, key, _code_form(code, verifier), nonce=stale)
    assert (response.status_code, response.json()["error"]) == (400, "use_dpop_nonce")
    assert await counts(factory.app) == NOTHING


async def test_a_replayed_proof_is_refused(client: AsyncClient, factory: Factory) -> None:
    app, key = await partner_app(factory), ClientKey.generate()
    nonce = await nonce_of(client, app, key)
    proof = dpop_proof(key, "POST", TOKEN_URL, nonce=nonce)
    first_code, first_verifier = await obtain_code(client, app)
    second_code, second_verifier = await obtain_code(client, app)
    headers = {**app.auth(), "DPoP": proof}
    first = await client.post(
        "/oauth/token", data=_code_form(first_code, first_verifier), headers=headers
    )
    assert first.status_code == 200, first.text
    before = await counts(factory.app)
    replayed = await client.post(
        "/oauth/token", data=_code_form(second_code, second_verifier), headers=headers
    )
    assert (replayed.status_code, replayed.json()["error"]) == (400, "invalid_dpop_proof")
    assert "used before" in replayed.json()["error_description"]
    assert await counts(factory.app) == before  # the second code is still unused
    assert await _proofs_spent(factory) == 1


def _hs256_proof(key: ClientKey, nonce: str) -> str:
    claims = {"htm": "POST", "htu": TOKEN_URL, "iat": int(now().timestamp()), "jti": "j"}
    claims["nonce"] = nonce
    headers = {"typ": "dpop+jwt", "jwk": key.public_jwk()}
    secret = "a-shared-secret-of-32-bytes-long!"
    return jwt.encode(claims, secret, algorithm="HS256", headers=headers)


@pytest.mark.parametrize(
    "mismatch",
    [
        {"htm": "GET"},
        {"htu": "https://elsewhere.example.com/oauth/token"},
        {"htu": f"{TOKEN_URL}/x"},
        {"iat": 1_000_000_000},
        {"iat": 4_000_000_000},
        {"jti": None},
        {"header": {"typ": "JWT"}},
        {"header": {"jwk": None}},
        {"private_jwk": True},
        {"hs256": True},
        {"other_key_signs": True},
    ],
)
async def test_a_proof_that_does_not_fit_is_refused_and_nothing_is_written(
    client: AsyncClient, factory: Factory, mismatch: dict[str, Any]
) -> None:
    mismatch = dict(mismatch)  # the parameter is shared by both databases' runs
    app, key = await partner_app(factory), ClientKey.generate()
    code, verifier = await obtain_code(client, app)
    nonce = await nonce_of(client, app, key)
    if mismatch.pop("private_jwk", False):
        private = jwt.algorithms.ECAlgorithm.to_jwk(key.private, as_dict=True)
        proof = dpop_proof(key, "POST", TOKEN_URL, nonce=nonce, header={"jwk": private})
    elif mismatch.pop("hs256", False):
        proof = _hs256_proof(key, nonce)
    elif mismatch.pop("other_key_signs", False):
        other = ClientKey.generate()
        proof = dpop_proof(other, "POST", TOKEN_URL, nonce=nonce, header={"jwk": key.public_jwk()})
    else:
        htu = mismatch.pop("htu", TOKEN_URL)
        htm = mismatch.pop("htm", "POST")
        proof = dpop_proof(key, htm, htu, nonce=nonce, **mismatch)
    response = await client.post(
        "/oauth/token", data=_code_form(code, verifier), headers={**app.auth(), "DPoP": proof}
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_dpop_proof")
    assert await counts(factory.app) == NOTHING
    assert await _proofs_spent(factory) == 0


async def test_two_proofs_are_refused(client: AsyncClient, factory: Factory) -> None:
    app, key = await partner_app(factory), ClientKey.generate()
    code, verifier = await obtain_code(client, app)
    nonce = await nonce_of(client, app, key)
    headers = [
        *app.auth().items(),
        ("DPoP", dpop_proof(key, "POST", TOKEN_URL, nonce=nonce)),
        ("DPoP", dpop_proof(key, "POST", TOKEN_URL, nonce=nonce)),
    ]
    response = await client.post("/oauth/token", data=_code_form(code, verifier), headers=headers)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_dpop_proof")
    assert await counts(factory.app) == NOTHING


async def test_a_client_registered_for_dpop_gets_no_bearer_token(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    async with factory.app.state.sessionmaker() as session:
        await session.execute(
            update(Client).where(Client.id == app.client_id).values(dpop_bound_access_tokens=True)
        )
        await session.commit()
    code, verifier = await obtain_code(client, app)
    bearer = await token_request(client, app, **_code_form(code, verifier))
    assert (bearer.status_code, bearer.json()["error"]) == (400, "invalid_dpop_proof")
    assert await counts(factory.app) == NOTHING
    bound = await dpop_token_request(client, app, ClientKey.generate(), _code_form(code, verifier))
    assert (bound.status_code, bound.json()["token_type"]) == (200, "DPoP")


async def test_a_public_clients_refresh_token_is_bound_to_its_key(
    client: AsyncClient, factory: Factory
) -> None:
    app, key = await partner_app(factory, client_type="public"), ClientKey.generate("EdDSA")
    issued = await _bound_tokens(client, app, key)
    refresh = {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]}
    before = await counts(factory.app)
    stolen = await dpop_token_request(client, app, ClientKey.generate(), refresh)
    assert (stolen.status_code, stolen.json()["error"]) == (400, "invalid_dpop_proof")
    bare = await token_request(client, app, **refresh)
    assert (bare.status_code, bare.json()["error"]) == (400, "invalid_dpop_proof")
    assert await counts(factory.app) == before  # the refresh token is still unused
    rotated = await dpop_token_request(client, app, key, refresh)
    assert rotated.status_code == 200, rotated.text
    claims = jwt.decode(rotated.json()["access_token"], options={"verify_signature": False})
    assert claims["cnf"]["jkt"] == key.thumbprint()
    # Introspection of the bound refresh token names its key too (RFC 9449 §6.2).
    introspector, secret = await factory.oauth_client(
        client_type="first_party", scopes=["tsp.introspect"]
    )
    assert secret is not None
    seen = await client.post(
        "/oauth/introspect",
        data={"token": rotated.json()["refresh_token"]},
        auth=(introspector.id, secret),
    )
    assert seen.json()["cnf"] == {"jkt": key.thumbprint()}


async def test_a_confidential_clients_refresh_token_is_bound_to_its_authentication(
    client: AsyncClient, factory: Factory
) -> None:
    """RFC 9449 §5: only public clients' refresh tokens are bound; a confidential client's
    are bound by its client authentication, and a new proof key binds the new access token."""
    app, key = await partner_app(factory), ClientKey.generate()
    issued = await _bound_tokens(client, app, key)
    refresh = {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]}
    other = ClientKey.generate()
    rotated = await dpop_token_request(client, app, other, refresh)
    assert rotated.status_code == 200, rotated.text
    claims = jwt.decode(rotated.json()["access_token"], options={"verify_signature": False})
    assert claims["cnf"]["jkt"] == other.thumbprint()


async def test_ath_binds_a_proof_to_the_access_token_it_comes_with(
    client: AsyncClient, factory: Factory, settings: Settings
) -> None:
    """What a resource server checks (docs/oauth.md): the proof's ath is the token's hash."""
    app, key = await partner_app(factory), ClientKey.generate()
    token = (await _bound_tokens(client, app, key))["access_token"]
    quiet = settings.model_copy(update={"dpop_nonces": False})
    url = "http://127.0.0.1:8000/api/orders"
    proof = dpop_proof(key, "GET", url, access_token=token)
    sessionmaker = factory.app.state.sessionmaker
    jkt = await check_proof(
        sessionmaker, quiet, proof, method="GET", url=url, at=now(), access_token=token
    )
    assert jkt == key.thumbprint()
    other = dpop_proof(key, "GET", url, access_token="another-token")
    with pytest.raises(InvalidDpopProof, match="ath"):
        await check_proof(
            sessionmaker, quiet, other, method="GET", url=url, at=now(), access_token=token
        )


async def test_the_metadata_names_the_dpop_algorithms(client: AsyncClient) -> None:
    metadata = (await client.get("/.well-known/oauth-authorization-server")).json()
    assert metadata["dpop_signing_alg_values_supported"] == ["ES256", "PS256", "EdDSA"]
