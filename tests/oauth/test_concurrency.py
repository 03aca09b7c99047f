"""Single use under concurrency, decided by the database (STYLE §11), on SQLite and PostgreSQL.

``committed_client`` gives every request its own connection and real commits, so the 32
requests sent with ``asyncio.gather`` race in the database as 32 processes would.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select

from tests.factories import Factory
from tests.oauth.helpers import (
    families,
    introspect,
    obtain_code,
    partner_app,
    redeem,
    token_request,
    tokens,
)
from tsp_auth.models import RefreshToken

RACERS = 32


async def _refresh_tokens(app: FastAPI) -> int:
    async with app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(RefreshToken)) or 0)


async def test_one_code_redeemed_32_times_at_once_succeeds_exactly_once(
    committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    factory = Factory(committed_app, committed_client)
    app = await partner_app(factory)
    code, verifier = await obtain_code(committed_client, app)

    answers = await asyncio.gather(
        *(redeem(committed_client, app, code, verifier) for _ in range(RACERS))
    )

    outcomes = Counter((a.status_code, a.json().get("error")) for a in answers)
    assert outcomes == {(200, None): 1, (400, "invalid_grant"): RACERS - 1}, outcomes
    assert await _refresh_tokens(committed_app) == 1  # one set of tokens stored
    # The 31 replays revoke what the winner got (RFC 6749 §4.1.2).
    (family,) = await families(committed_app)
    assert family.revoked_reason == "code.replayed"


async def test_one_refresh_token_used_32_times_at_once_succeeds_exactly_once(
    committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    factory = Factory(committed_app, committed_client)
    app = await partner_app(factory)
    issued = await tokens(committed_client, app)

    answers = await asyncio.gather(
        *(
            token_request(
                committed_client,
                app,
                grant_type="refresh_token",
                refresh_token=issued["refresh_token"],
            )
            for _ in range(RACERS)
        )
    )

    outcomes = Counter((a.status_code, a.json().get("error")) for a in answers)
    assert outcomes == {(200, None): 1, (400, "invalid_grant"): RACERS - 1}, outcomes
    assert await _refresh_tokens(committed_app) == 2  # the original and one rotation
    # Reuse detected: RFC 9700 §4.14.2 revokes the family, the winner's new tokens included,
    # because the server cannot tell the legitimate client from the attacker.
    (family,) = await families(committed_app)
    assert family.revoked_reason == "refresh_token.reused"
    winner = next(a for a in answers if a.status_code == 200).json()
    for token in (winner["refresh_token"], winner["access_token"]):
        assert (await introspect(committed_client, app, token))["active"] is False
