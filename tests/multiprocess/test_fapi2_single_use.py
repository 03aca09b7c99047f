"""The single-use values of issue 23 across two ``tsp-auth serve`` processes on one
PostgreSQL: a request_uri, a client assertion's jti and a DPoP proof's jti are each accepted
once, whichever process sees them, because the database decides (STYLE §11)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable

import pytest
from httpx import AsyncClient, Response

from tests.multiprocess.conftest import Cluster
from tests.oauth.dpop_helpers import TOKEN_URL
from tests.oauth.helpers import partner_app, pkce_pair
from tests.oauth.jose_helpers import ClientKey, assertion_form, dpop_proof
from tests.oauth.par_helpers import follow, pushed_uri
from tests.oauth.test_private_key_jwt import keyed_app

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)

PER_PROCESS = 16


async def _race(
    cluster: Cluster, call: Callable[[AsyncClient], Awaitable[Response]]
) -> Counter[int]:
    clients = [cluster.a, cluster.b] * PER_PROCESS
    answers = await asyncio.gather(*(call(http) for http in clients))
    unavailable = [r.text for r in answers if r.status_code >= 500]
    assert not unavailable, unavailable[:2]
    return Counter(r.status_code for r in answers)


async def test_one_request_uri_is_followed_once_across_two_processes(cluster: Cluster) -> None:
    app = await partner_app(cluster.factory)
    request_uri = await pushed_uri(cluster.a, app, pkce_pair()[1])
    outcomes = await _race(cluster, lambda http: follow(http, app.client_id, request_uri))
    assert outcomes == {303: 1, 400: 2 * PER_PROCESS - 1}, outcomes


async def test_one_client_assertion_is_accepted_once_across_two_processes(
    cluster: Cluster,
) -> None:
    key = ClientKey.generate()
    app = await keyed_app(cluster.factory, key)
    form = {"token": "x", **assertion_form(key, app.client_id)}
    outcomes = await _race(cluster, lambda http: http.post("/oauth/introspect", data=form))
    # Each replay is a failed authentication: past the budget (10 a minute per client and
    # address, per process) it is answered 429 rather than 401; either way, refused.
    assert outcomes[200] == 1 and set(outcomes) <= {200, 401, 429}, outcomes
    assert outcomes[401] + outcomes[429] == 2 * PER_PROCESS - 1, outcomes


async def test_one_dpop_proof_is_accepted_once_across_two_processes(cluster: Cluster) -> None:
    first_party, secret = await cluster.factory.oauth_client(
        client_type="first_party", scopes=["tsp.introspect"]
    )
    assert secret is not None
    auth = (first_party.id, secret)
    key = ClientKey.generate("EdDSA")
    answer = await cluster.b.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=auth,
        headers={"DPoP": dpop_proof(key, "POST", TOKEN_URL)},
    )
    nonce = answer.headers["dpop-nonce"]  # any process's nonce is good on every process
    proof = dpop_proof(key, "POST", TOKEN_URL, nonce=nonce)
    outcomes = await _race(
        cluster,
        lambda http: http.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=auth,
            headers={"DPoP": proof},
        ),
    )
    assert outcomes == {200: 1, 400: 2 * PER_PROCESS - 1}, outcomes
