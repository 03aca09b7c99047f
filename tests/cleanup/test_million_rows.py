"""A million expired revoked-token rows: all go in bounded, committed batches; live rows stay.

The rows are made by the database itself (``generate_series`` on PostgreSQL, a recursive CTE
on SQLite) so the test spends its time in the cleanup, not in inserting. PostgreSQL, the
production database, gets the million; SQLite, the embedded one, 100 000 (a million took a
minute there on the shared test machine, for the same statements).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncEngine

from tsp_auth.cleanup.service import cleanup
from tsp_auth.clock import now
from tsp_auth.db import create_engine
from tsp_auth.models.base import UTCDateTime
from tsp_auth.observability.metrics import CLEANUP_ROWS

EXPIRED = {"postgresql": 1_000_000, "sqlite": 100_000}
KEPT = 1_000  # of each: expired but within the grace, and live
BATCH = 10_000

_SERIES = {
    "postgresql": "SELECT g AS n FROM generate_series(1, :count) AS g",
    "sqlite": "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < :count) "
    "SELECT n FROM s",
}


async def _insert(app: FastAPI, prefix: str, count: int, expires_at: datetime) -> None:
    # An engine of its own: one INSERT of a million rows outlasts the app's statement timeout.
    settings = app.state.settings.model_copy(update={"database_timeout_seconds": 60.0})
    engine = create_engine(settings)
    try:
        await _insert_on(engine, prefix, count, expires_at)
    finally:
        await engine.dispose()


async def _insert_on(engine: AsyncEngine, prefix: str, count: int, expires_at: datetime) -> None:
    async with engine.begin() as connection:
        series = _SERIES[connection.dialect.name]
        statement = text(
            f"INSERT INTO revoked_tokens (jti, expires_at, revoked_at) "  # noqa: S608 (constants)
            f"SELECT :prefix || n, :at, :at FROM ({series}) AS numbers"
        ).bindparams(bindparam("at", type_=UTCDateTime()))
        await connection.execute(statement, {"prefix": prefix, "count": count, "at": expires_at})


async def _count(app: FastAPI, prefix: str) -> int:
    async with app.state.engine.connect() as connection:
        query = text("SELECT count(*) FROM revoked_tokens WHERE jti LIKE :pattern")
        return int((await connection.execute(query, {"pattern": f"{prefix}%"})).scalar_one())


async def test_a_million_expired_rows_go_in_bounded_batches(committed_app: FastAPI) -> None:
    settings = committed_app.state.settings
    expired = EXPIRED[committed_app.state.engine.dialect.name]
    grace = settings.cleanup_token_grace
    at = now()
    await _insert(committed_app, "old_", expired, at - grace - timedelta(hours=1))
    await _insert(committed_app, "within_", KEPT, at - grace + timedelta(hours=1))
    await _insert(committed_app, "live_", KEPT, at + timedelta(minutes=15))
    assert await _count(committed_app, "old_") == expired
    counted = CLEANUP_ROWS.labels("revoked_tokens")._value.get()

    result = await cleanup(committed_app.state.sessionmaker, settings, now=at, limit=BATCH)

    assert result.deleted["revoked_tokens"] == expired
    # Full batches, then one that finds nothing and ends the run.
    assert result.batches["revoked_tokens"] == expired // BATCH + 1
    assert await _count(committed_app, "old_") == 0
    assert await _count(committed_app, "within_") == KEPT
    assert await _count(committed_app, "live_") == KEPT
    assert CLEANUP_ROWS.labels("revoked_tokens")._value.get() == counted + expired
