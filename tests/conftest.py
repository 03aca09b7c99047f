"""Real databases for every test: SQLite always, PostgreSQL when TSP_AUTH_TEST_DATABASE_URL is set.

Each backend is migrated with alembic once per run. A test gets the app wired to one
connection whose outer transaction is rolled back afterwards (the app's commits become
savepoint releases); tests of concurrency use ``committed_app`` instead, where requests get
their own connections and commits are real, and the tables are emptied afterwards.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from tests.factories import Factory
from tests.problems import problems_are_well_formed
from tsp_auth.app import create_app
from tsp_auth.config import Settings
from tsp_auth.crypto import jwt as crypto_jwt
from tsp_auth.db import create_engine, create_sessionmaker
from tsp_auth.db.migrations import upgrade_connection
from tsp_auth.db.unit_of_work import reads_of
from tsp_auth.keys.ring import KeyRing
from tsp_auth.models.base import Base

PG_URL = os.environ.get("TSP_AUTH_TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


def pytest_report_header() -> str:
    if PG_URL:
        return f"databases: sqlite + postgresql ({PG_URL.split('@')[-1]})"
    return "databases: sqlite only — set TSP_AUTH_TEST_DATABASE_URL to run PostgreSQL too"


_passed_by_backend = dict.fromkeys(BACKENDS, 0)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and report.passed:
        for backend in BACKENDS:
            if f"[{backend}" in report.nodeid or f"-{backend}" in report.nodeid:
                _passed_by_backend[backend] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    counts = ", ".join(f"{name} {n} passed" for name, n in _passed_by_backend.items())
    terminalreporter.write_line(f"tests per database: {counts}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # CI's PostgreSQL run is mandatory: database tests that passed on SQLite but never on a
    # configured PostgreSQL mean it was not reached, and that is a failure.
    if PG_URL and _passed_by_backend["sqlite"] and not _passed_by_backend["postgresql"]:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def settings(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    if backend == "postgresql":
        assert PG_URL is not None
        return Settings(database_url=PG_URL)
    path = tmp_path_factory.mktemp("sqlite") / "test.db"
    return Settings(database_url=f"sqlite+aiosqlite:///{path}")


@pytest.fixture(scope="session")
async def engine(settings: Settings, backend: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings)
    async with engine.connect() as connection:
        if backend == "postgresql":
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
            await connection.commit()
        await upgrade_connection(connection)
        await connection.commit()
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as connection:
        transaction = await connection.begin()
        yield connection
        await transaction.rollback()


def wire(app: FastAPI, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """Set what the lifespan would set; httpx's ASGITransport does not run the lifespan."""
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker
    # Empty until first use, then loaded (first key created) through that request's session.
    app.state.keyring = KeyRing(app.state.settings, reads_of(sessionmaker))


SEA_LAUNCH = date(2026, 1, 1)


def rollback_app(settings: Settings, engine: AsyncEngine, connection: AsyncConnection) -> FastAPI:
    """An app on the test's connection: its commits release savepoints, the test rolls back."""
    app = create_app(settings)
    sessionmaker = async_sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    wire(app, engine, sessionmaker)
    return app


@asynccontextmanager
async def asgi_client(app: FastAPI, address: str = "127.0.0.1") -> AsyncIterator[AsyncClient]:
    """A client of ``app``, calling from ``address`` (the peer the app sees)."""
    transport = ASGITransport(app=app, raise_app_exceptions=False, client=(address, 123))
    hooks = {"response": [problems_are_well_formed]}
    async with AsyncClient(
        transport=transport, base_url="http://testserver", event_hooks=hooks
    ) as client:
        yield client


@pytest.fixture
def app(settings: Settings, engine: AsyncEngine, connection: AsyncConnection) -> FastAPI:
    return rollback_app(settings, engine, connection)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    async with asgi_client(app) as client:
        yield client


@pytest.fixture
def factory(app: FastAPI, client: AsyncClient) -> Factory:
    return Factory(app, client)


@pytest.fixture
def sea_app(settings: Settings, engine: AsyncEngine, connection: AsyncConnection) -> FastAPI:
    """An app whose settings launch TSP Access console login in SEA markets."""
    launched = settings.model_copy(update={"sea_launch_date": SEA_LAUNCH})
    return rollback_app(launched, engine, connection)


@pytest.fixture
async def sea_client(sea_app: FastAPI) -> AsyncIterator[AsyncClient]:
    async with asgi_client(sea_app) as client:
        yield client


@pytest.fixture
def sea_factory(sea_app: FastAPI, sea_client: AsyncClient) -> Factory:
    return Factory(sea_app, sea_client)


@pytest.fixture
async def committed_app(settings: Settings, engine: AsyncEngine) -> AsyncIterator[FastAPI]:
    app = create_app(settings)
    wire(app, engine, create_sessionmaker(engine))
    yield app
    await _empty_tables(engine)


@pytest.fixture
async def committed_client(committed_app: FastAPI) -> AsyncIterator[AsyncClient]:
    async with asgi_client(committed_app) as client:
        yield client


async def _empty_tables(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]


@pytest.fixture
def signature_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tokens whose ES256 signature was checked, in order (keys/verified.py remembers the
    tokens it verified once: what it skips is missing here)."""
    checked: list[str] = []
    real = crypto_jwt.jws.verify

    def counting(token: str, *args: Any, **kwargs: Any) -> Any:
        checked.append(token)
        return real(token, *args, **kwargs)

    monkeypatch.setattr(crypto_jwt.jws, "verify", counting)
    return checked
