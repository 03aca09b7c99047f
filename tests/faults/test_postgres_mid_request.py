"""A backend killed mid-request, and a statement that hangs: 503, and nothing half-written.

Another connection takes a row lock first, so the token request stops inside a statement we
chose: on the code row, the request waits in the ``UPDATE … SET used_at`` that consumes it;
on the token family row, it has consumed the code and waits in the refresh token's INSERT
(its foreign key needs a share lock on the family). Then we terminate its backend
(``pg_terminate_backend``), or let ``command_timeout`` end the wait.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tests.factories import Factory
from tests.faults.conftest import MakeApp, assert_unavailable
from tests.oauth.helpers import App, obtain_code, partner_app, redeem
from tsp_auth.models import AuthorizationCode, RefreshToken

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)

# Where the token request is held: the row another connection locks first.
LOCKED_ROWS = {
    "code_row": "SELECT 1 FROM authorization_codes WHERE id = :code_id FOR UPDATE",
    "family_row": "SELECT 1 FROM token_families f JOIN authorization_codes c"
    " ON c.family_id = f.id WHERE c.id = :code_id FOR UPDATE OF f",
}


@dataclass
class CodeState:
    used: bool
    refresh_tokens: int


async def _code_state(engine: AsyncEngine, code_id: str) -> CodeState:
    async with engine.connect() as connection:
        code = (
            await connection.execute(
                select(AuthorizationCode.used_at, AuthorizationCode.family_id).where(
                    AuthorizationCode.id == code_id
                )
            )
        ).one()
        refresh = await connection.scalar(
            select(func.count()).where(RefreshToken.family_id == code.family_id)
        )
    return CodeState(used=code.used_at is not None, refresh_tokens=int(refresh or 0))


async def _only_code_id(engine: AsyncEngine) -> str:
    async with engine.connect() as connection:
        (code_id,) = (await connection.scalars(select(AuthorizationCode.id))).all()
        return str(code_id)


@asynccontextmanager
async def _row_locked(engine: AsyncEngine, sql: str, code_id: str) -> AsyncIterator[int]:
    """Hold the row lock in an open transaction; yield the holder's backend pid."""
    async with engine.connect() as holder:
        await holder.begin()
        pid = int(await holder.scalar(text("SELECT pg_backend_pid()")) or 0)
        assert (await holder.execute(text(sql), {"code_id": code_id})).first() is not None
        try:
            yield pid
        finally:
            await holder.rollback()


async def _blocked_by(watcher: AsyncConnection, holder_pid: int) -> int:
    """The app's backend waiting on our lock: only connections of this test's database, named
    ``tsp-auth`` (db.py sets application_name), blocked by the holder."""
    query = text(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        " AND application_name = 'tsp-auth' AND :holder = ANY(pg_blocking_pids(pid))"
    )
    for _ in range(250):
        pids = (await watcher.scalars(query, {"holder": holder_pid})).all()
        if pids:
            (pid,) = pids
            return int(pid)
        await asyncio.sleep(0.02)
    raise AssertionError("the token request never waited on the lock")


async def _seeded(make_app: MakeApp, **overrides: float) -> tuple[AsyncClient, App, str, str]:
    app, http = await make_app(**overrides)
    partner = await partner_app(Factory(app, http))
    code, verifier = await obtain_code(http, partner)
    assert verifier is not None
    return http, partner, code, verifier


def _assert_whole(state: CodeState) -> None:
    """Consumed if and only if its tokens are stored (docs/oauth.md, grant_types.py)."""
    assert state.used == (state.refresh_tokens == 1), state
    assert state.refresh_tokens <= 1, state


@pytest.mark.parametrize("where", sorted(LOCKED_ROWS))
async def test_a_backend_killed_mid_redemption_is_503_and_leaves_no_half_state(
    make_app: MakeApp, engine: AsyncEngine, where: str
) -> None:
    http, partner, code, verifier = await _seeded(make_app, database_timeout_seconds=10)
    code_id = await _only_code_id(engine)

    async with _row_locked(engine, LOCKED_ROWS[where], code_id) as holder, engine.connect() as w:
        request = asyncio.create_task(redeem(http, partner, code, verifier))
        victim = await _blocked_by(w, holder)
        assert await w.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": victim})
        answer = await asyncio.wait_for(request, 10)

    assert_unavailable(answer)
    state = await _code_state(engine, code_id)
    _assert_whole(state)
    assert state == CodeState(used=False, refresh_tokens=0)  # the kill rolled it all back
    await _retry(http, partner, code, verifier, engine, code_id)


@pytest.mark.parametrize("where", sorted(LOCKED_ROWS))
async def test_a_statement_that_hangs_is_503_within_the_timeout(
    make_app: MakeApp, engine: AsyncEngine, where: str
) -> None:
    http, partner, code, verifier = await _seeded(make_app, database_timeout_seconds=1)
    code_id = await _only_code_id(engine)

    async with _row_locked(engine, LOCKED_ROWS[where], code_id):
        started = time.monotonic()
        answer = await redeem(http, partner, code, verifier)
        waited = time.monotonic() - started
        health = await http.get("/health")

    assert_unavailable(answer)
    assert 0.9 <= waited < 3, waited  # command_timeout = TSP_AUTH_DATABASE_TIMEOUT_SECONDS
    assert health.status_code == 200
    _assert_whole(await _code_state(engine, code_id))
    await _retry(http, partner, code, verifier, engine, code_id)


async def _retry(
    http: AsyncClient, partner: App, code: str, verifier: str, engine: AsyncEngine, code_id: str
) -> None:
    """The lock is gone: the same code redeems once if it is still unused, else it is
    ``invalid_grant`` (consumed, tokens stored); never a consumed code without tokens."""
    before = await _code_state(engine, code_id)
    retry: Response = await redeem(http, partner, code, verifier)
    if before.used:
        assert (retry.status_code, retry.json()["error"]) == (400, "invalid_grant")
    else:
        assert retry.status_code == 200, retry.text
        assert await _code_state(engine, code_id) == CodeState(used=True, refresh_tokens=1)
        again = await redeem(http, partner, code, verifier)
        assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")
