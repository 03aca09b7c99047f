"""The migrated schema and the models agree, on every backend the suite runs."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from tsp_auth.models.base import Base


async def test_models_match_the_migrations(connection: AsyncConnection) -> None:
    def _diff(sync_connection: Connection) -> list[Any]:
        context = MigrationContext.configure(sync_connection, opts={"compare_type": False})
        return list(compare_metadata(context, Base.metadata))

    assert await connection.run_sync(_diff) == []
