"""The caller's account, read for every authenticated request (live/caller_state.py).

On PostgreSQL concurrent requests' reads are coalesced into one round trip per batch; nothing
is cached. So each request still gets its own account, an account removed before a request
is refused by it, and an identity whose ``sub`` the database refuses fails only its own
request, not the others read with it.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import Factory
from tests.statements import sent_statements
from tsp_auth.clock import now
from tsp_auth.models import Account

CONCURRENT = 12


def _account_reads(sent: list[str]) -> int:
    return len([s for s in sent if "FROM accounts" in s])


async def test_concurrent_callers_each_get_their_own_account_in_fewer_round_trips(
    committed_app: FastAPI, committed_client: AsyncClient, backend: str
) -> None:
    factory = Factory(committed_app, committed_client)
    partner = await factory.partner()
    accounts = [
        await factory.account("partner", "admin", partner_id=partner.id) for _ in range(CONCURRENT)
    ]
    headers = [await factory.headers(account) for account in accounts]
    async with sent_statements(committed_app.state.engine) as sent:
        answers = await asyncio.gather(
            *(committed_client.get("/v1/me", headers=h) for h in headers)
        )
    assert [a.status_code for a in answers] == [200] * CONCURRENT
    assert [a.json()["account_id"] for a in answers] == [a.id for a in accounts]
    assert [a.json()["partner_id"] for a in answers] == [partner.id] * CONCURRENT
    if backend == "postgresql":
        assert 1 <= _account_reads(sent) < CONCURRENT


async def test_an_account_removed_before_a_request_refuses_it(
    committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    factory = Factory(committed_app, committed_client)
    partner = await factory.partner()
    gone = await factory.account("partner", "admin", partner_id=partner.id)
    staying = await factory.account("partner", "admin", partner_id=partner.id)
    gone_headers, staying_headers = await factory.headers(gone), await factory.headers(staying)
    assert (await committed_client.get("/v1/me", headers=gone_headers)).status_code == 200
    engine: AsyncEngine = committed_app.state.engine
    async with engine.begin() as connection:
        await connection.execute(delete(Account).where(Account.id == gone.id))

    refused, kept = await asyncio.gather(
        committed_client.get("/v1/me", headers=gone_headers),
        committed_client.get("/v1/me", headers=staying_headers),
    )
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_token"
    assert "unknown_account" in refused.json()["detail"]
    assert (kept.status_code, kept.json()["account_id"]) == (200, staying.id)


async def test_a_sub_the_database_refuses_fails_only_its_own_request(
    committed_app: FastAPI, committed_client: AsyncClient, backend: str
) -> None:
    factory = Factory(committed_app, committed_client)
    partner = await factory.partner()
    account = await factory.account("partner", "admin", partner_id=partner.id)
    headers = await factory.headers(account)
    codec = committed_app.state.identity_codec
    odd = codec.encode("acc_\x00nul", now=now(), lifetime=timedelta(minutes=5))

    answers = await asyncio.gather(
        committed_client.get("/v1/me", headers={"Authorization": f"Bearer {odd}"}),
        *(committed_client.get("/v1/me", headers=headers) for _ in range(3)),
    )
    # PostgreSQL refuses a NUL in text (a data exception, 400); SQLite finds no such account.
    assert answers[0].status_code == (400 if backend == "postgresql" else 401)
    assert [a.status_code for a in answers[1:]] == [200] * 3
    assert all(a.json()["account_id"] == account.id for a in answers[1:])
