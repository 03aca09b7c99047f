"""Failed client authentication is limited per client and source address at the token,
introspection and revocation endpoints (issue 13, issue 23; RFC 6749 §10.10). Only failures
count, and only failures are refused: a request that authenticates is always served, so a
burst of wrong secrets cannot lock a client out (docs/security.md)."""

from __future__ import annotations

import base64

from httpx import AsyncClient

from tests.factories import Factory
from tests.oauth.helpers import Counts, counts, obtain_code, partner_app, redeem, token_request
from tests.rate_limits.conftest import LimitedPair, assert_rate_limited, refused_count

BUDGET = "3 per 2 seconds"


def _basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


async def test_a_burst_of_wrong_secrets_does_not_stop_the_right_one(
    client: AsyncClient, factory: Factory, limited_pair: LimitedPair
) -> None:
    app = await partner_app(factory)
    code, verifier = await obtain_code(client, app)
    wrong = _basic(app.client_id, "not-the-secret")
    before = refused_count("token")
    async with limited_pair(client_auth_failures=BUDGET) as (attacker, healthy):
        for _ in range(3):
            refused = await token_request(attacker, app, wrong, grant_type="client_credentials")
            assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
        # The guesser's budget is spent: its next wrong secret gets 429, and nothing is written.
        spent = await token_request(attacker, app, wrong, grant_type="client_credentials")
        assert_rate_limited(spent)
        assert refused_count("token") == before + 1
        assert await counts(factory.app) == Counts(
            refresh_tokens=0, used_codes=0, revoked_families=0
        )
        # The right secret from another address is served at once...
        redeemed = await redeem(healthy, app, code, verifier)
        assert redeemed.status_code == 200, redeemed.text
        # ...and from the guesser's address too: a request that authenticates is never refused.
        again = await attacker.post("/oauth/introspect", data={"token": "x"}, headers=app.auth())
        assert (again.status_code, again.json()) == (200, {"active": False})
        assert (await counts(factory.app)).refresh_tokens == 1


async def test_the_budget_is_per_client_and_address_and_shared_by_the_three_endpoints(
    factory: Factory, limited_pair: LimitedPair
) -> None:
    app, other = await partner_app(factory), await partner_app(factory)
    wrong = _basic(app.client_id, "guess")
    before = refused_count("revocation")
    async with limited_pair(client_auth_failures=BUDGET) as (one, two):
        for path in ("/oauth/introspect", "/oauth/revoke", "/oauth/token"):
            form = {"token": "x", "grant_type": "client_credentials"}
            failed = await one.post(path, data=form, headers=wrong)
            assert (failed.status_code, failed.json()["error"]) == (401, "invalid_client")
        assert_rate_limited(await one.post("/oauth/revoke", data={"token": "x"}, headers=wrong))
        assert refused_count("revocation") == before + 1
        # Another address guessing the same client has its own budget.
        elsewhere = await two.post("/oauth/revoke", data={"token": "x"}, headers=wrong)
        assert (elsewhere.status_code, elsewhere.json()["error"]) == (401, "invalid_client")
        # Another client from the spent address is not touched by the first one's failures.
        stranger = _basic(other.client_id, "guess")
        failed = await one.post("/oauth/introspect", data={"token": "x"}, headers=stranger)
        assert (failed.status_code, failed.json()["error"]) == (401, "invalid_client")


async def test_successful_authentication_never_spends_the_budget(
    factory: Factory, limited_pair: LimitedPair
) -> None:
    app = await partner_app(factory)
    async with limited_pair(client_auth_failures=BUDGET) as (one, _):
        for _ in range(10):
            answer = await one.post("/oauth/introspect", data={"token": "x"}, headers=app.auth())
            assert (answer.status_code, answer.json()) == (200, {"active": False})
