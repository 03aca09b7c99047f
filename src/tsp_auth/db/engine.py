"""Engine and the request's unit of work (STYLE §3: the request owns the transaction)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from tsp_auth.config import Settings


def create_engine(settings: Settings) -> AsyncEngine:
    if settings.is_sqlite:
        return _sqlite_engine(settings)
    timeout = settings.database_timeout_seconds
    engine = create_async_engine(
        settings.database_url,
        # A fixed pool: overflow connections are opened and closed under load, and each
        # open (TLS handshake included) costs more than the query it serves. Requests
        # beyond the pool wait for a connection, up to the pool timeout (then 503).
        pool_size=settings.database_pool_size,
        max_overflow=0,
        pool_timeout=timeout,
        pool_pre_ping=False,
        connect_args={
            "timeout": timeout,
            # A hung statement becomes an error the caller sees as 503, not a stuck request.
            "command_timeout": timeout,
            "server_settings": {"application_name": "tsp-auth"},
        },
    )
    _discard_closed_connections(engine)
    return engine


def _discard_closed_connections(engine: AsyncEngine) -> None:
    """Never hand out a pooled connection the server has already closed.

    After PostgreSQL restarts (or a proxy cuts idle connections) the pool still holds their
    dead sockets, and the first request after recovery would fail on one. asyncpg notices the
    peer's close as it happens, so checking ``is_closed()`` at checkout costs no round trip,
    unlike ``pool_pre_ping`` (three: BEGIN, ``;``, ROLLBACK on every checkout). Raising
    ``DisconnectionError`` makes the pool reconnect that slot and retry (SQLAlchemy
    "Disconnect handling - pessimistic", custom checkout events). docs/security.md measures it.
    """

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if dbapi_connection.driver_connection.is_closed():
            raise exc.DisconnectionError("pooled connection was closed by the server")


def _sqlite_engine(settings: Settings) -> AsyncEngine:
    path = settings.sqlite_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(
        settings.database_url, connect_args={"timeout": settings.database_timeout_seconds}
    )
    _make_sqlite_transactional(engine, settings.database_timeout_seconds)
    return engine


def _make_sqlite_transactional(engine: AsyncEngine, timeout: float) -> None:
    """Give SQLite real transactions: the driver's own BEGIN handling defers them wrongly.

    ``BEGIN IMMEDIATE`` takes the write lock at the start, so two concurrent writers queue
    instead of failing with "database is locked" half-way (SQLAlchemy "pysqlite" docs,
    "Serializable isolation / Savepoints / Transactional DDL").
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # A locked database waits TSP_AUTH_DATABASE_TIMEOUT_SECONDS, then 503 (as PostgreSQL).
        cursor.execute(f"PRAGMA busy_timeout={round(timeout * 1000)}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
