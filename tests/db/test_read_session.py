"""``ReadSessionDep``: a reading route never commits, and on PostgreSQL a write in it fails.

Through a real route on the app's own sessionmaker (committed, no test transaction around it).
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from tsp_auth.deps import ReadSessionDep, SessionDep
from tsp_auth.models import Partner

PARTNER = {
    "id": "ptn_read_only",
    "name": "Read only",
    "region": "US",
    "categories": frozenset(),
    "status": "active",
    "created_at": datetime(2026, 1, 1, tzinfo=UTC),
}


def _routes(app: FastAPI) -> None:
    @app.get("/test/read-then-write")
    async def read_then_write(session: ReadSessionDep) -> dict[str, str | int]:
        before = await session.scalar(select(func.count()).select_from(Partner))
        try:
            await session.execute(insert(Partner).values(**PARTNER))
        except DBAPIError as exc:
            return {"refused": str(getattr(exc.orig, "sqlstate", "")), "before": before or 0}
        return {"refused": "", "before": before or 0}

    @app.get("/test/write")
    async def write(session: SessionDep) -> dict[str, bool]:
        await session.execute(insert(Partner).values(**PARTNER))
        return {"written": True}


async def _partners(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(Partner)) or 0)


async def test_a_read_session_keeps_nothing_and_postgresql_refuses_its_writes(
    committed_app: FastAPI, committed_client: AsyncClient, engine: AsyncEngine, backend: str
) -> None:
    _routes(committed_app)

    read = await committed_client.get("/test/read-then-write")

    assert read.status_code == 200
    # 25006 read_only_sql_transaction: the transaction was begun READ ONLY.
    assert read.json() == {"refused": "25006" if backend == "postgresql" else "", "before": 0}
    assert await _partners(engine) == 0  # SQLite let it insert; the session never committed


async def test_the_unit_of_work_beside_it_still_commits(
    committed_app: FastAPI, committed_client: AsyncClient, engine: AsyncEngine
) -> None:
    _routes(committed_app)
    for _ in range(3):  # read-only transactions first, on the pool's connections
        assert (await committed_client.get("/test/read-then-write")).status_code == 200

    # Their connections went back to the pool writable (the option is reset on return).
    assert (await committed_client.get("/test/write")).json() == {"written": True}
    assert await _partners(engine) == 1
