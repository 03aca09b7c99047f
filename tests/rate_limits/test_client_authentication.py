"""Failed client authentication is limited per client at the token, introspection and
revocation endpoints (issue 13; RFC 6749 §10.10). Only failures count; once a client's budget
is spent the right secret is refused too, until the window frees it."""

from __future__ import annotations

import asyncio
import base64

from httpx import AsyncClient

from tests.factories import Factory
from tests.oauth.helpers import Counts, counts, obtain_code, partner_app, redeem, token_request
from tests.rate_limits.conftest import Limited, assert_rate_limited, refused_count

BUDGET = "3 per 2 seconds"


def _basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


async def test_bad_secrets_lock_the_client_out_then_the_window_frees_it(
    client: AsyncClient, factory: Factory, limited: Limited
) -> None:
    app = await partner_app(factory)
    code, verifier = await obtain_code(client, app)
    wrong = _basic(app.client_id, "not-the-secret")
    before = refused_count("token")
    async with limited(client_auth_failures=BUDGET) as burst:
        for _ in range(3):
            refused = await token_request(burst, app, wrong, grant_type="client_credentials")
            assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
        assert_rate_limited(await token_request(burst, app, wrong, grant_type="client_credentials"))

        # The right secret is refused too while the budget is spent, and the code stays unused.
        locked = await redeem(burst, app, code, verifier)
        retry_after = assert_rate_limited(locked)
        assert await counts(factory.app) == Counts(
            refresh_tokens=0, used_codes=0, revoked_families=0
        )
        assert refused_count("token") == before + 2

        await asyncio.sleep(retry_after + 0.2)  # a real window on a real clock
        redeemed = await redeem(burst, app, code, verifier)
        assert redeemed.status_code == 200, redeemed.text
        assert (await counts(factory.app)).refresh_tokens == 1


async def test_the_budget_is_per_client_and_shared_by_the_three_endpoints(
    client: AsyncClient, factory: Factory, limited: Limited
) -> None:
    app, other = await partner_app(factory), await partner_app(factory)
    wrong = _basic(app.client_id, "guess")
    before = refused_count("revocation")
    async with limited(client_auth_failures=BUDGET) as burst:
        for path in ("/oauth/introspect", "/oauth/revoke", "/oauth/token"):
            form = {"token": "x", "grant_type": "client_credentials"}
            failed = await burst.post(path, data=form, headers=wrong)
            assert (failed.status_code, failed.json()["error"]) == (401, "invalid_client")
        revoked = await burst.post("/oauth/revoke", data={"token": "x"}, headers=app.auth())
        assert_rate_limited(revoked)
        assert refused_count("revocation") == before + 1
        introspected = await burst.post(
            "/oauth/introspect", data={"token": "x"}, headers=app.auth()
        )
        assert_rate_limited(introspected)
        # Another client is not touched by the first one's failures.
        fine = await burst.post("/oauth/introspect", data={"token": "x"}, headers=other.auth())
        assert (fine.status_code, fine.json()) == (200, {"active": False})


async def test_successful_authentication_never_spends_the_budget(
    client: AsyncClient, factory: Factory, limited: Limited
) -> None:
    app = await partner_app(factory)
    async with limited(client_auth_failures=BUDGET) as burst:
        for _ in range(10):
            answer = await burst.post("/oauth/introspect", data={"token": "x"}, headers=app.auth())
            assert (answer.status_code, answer.json()) == (200, {"active": False})
