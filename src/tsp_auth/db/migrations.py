"""Alembic, driven from code: `tsp-auth migrate`, the test fixtures and /ready use this."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection


def _migrations_dir() -> Path:
    configured = os.environ.get("TSP_AUTH_MIGRATIONS_DIR")
    if configured:
        return Path(configured)
    # src/tsp_auth/db/migrations.py → repository root / migrations
    return Path(__file__).resolve().parents[3] / "migrations"


def alembic_config(database_url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_migrations_dir()))
    if database_url:
        config.set_main_option("sqlalchemy.url", database_url)
    return config


@lru_cache
def head_revisions() -> frozenset[str]:
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def upgrade_head(database_url: str) -> None:
    """Migrate a database to head from outside any event loop (the CLI)."""
    command.upgrade(alembic_config(database_url), "head")


async def upgrade_connection(connection: AsyncConnection) -> None:
    """Migrate through an open async connection (tests, embedded start-up)."""

    def _upgrade(sync_connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = sync_connection
        command.upgrade(config, "head")

    await connection.run_sync(_upgrade)


async def current_revisions(connection: AsyncConnection) -> frozenset[str]:
    def _current(sync_connection: Connection) -> frozenset[str]:
        return frozenset(MigrationContext.configure(sync_connection).get_current_heads())

    return await connection.run_sync(_current)
