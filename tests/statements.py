"""Every statement a test's app sends, one per round trip: the SQL as the server gets it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@asynccontextmanager
async def sent_statements(engine: AsyncEngine) -> AsyncIterator[list[str]]:
    """Seen by SQLAlchemy's cursor event, and on PostgreSQL by asyncpg's query logger of
    every connection checked out meanwhile: direct statements, BEGIN and COMMIT run below
    SQLAlchemy's cursor, and the logger misses the prepared statements SQLAlchemy sends, so
    nothing is counted twice."""
    seen: list[str] = []
    logged: list[Any] = []
    postgres = engine.dialect.name == "postgresql"

    def on_cursor(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    def on_query(query: Any) -> None:
        seen.append(query.query)

    def on_checkout(dbapi_connection: Any, *_: Any) -> None:
        driver = dbapi_connection.driver_connection
        if driver not in logged:
            driver.add_query_logger(on_query)
            logged.append(driver)

    event.listen(engine.sync_engine, "before_cursor_execute", on_cursor)
    if postgres:
        event.listen(engine.sync_engine, "checkout", on_checkout)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", on_cursor)
        if postgres:
            event.remove(engine.sync_engine, "checkout", on_checkout)
        for driver in logged:
            driver.remove_query_logger(on_query)


def inserts_into(statements: list[str], table: str) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith(f"INSERT INTO {table.upper()}")]
