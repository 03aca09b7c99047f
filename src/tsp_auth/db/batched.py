"""A direct statement for a batch of keys: one round trip whatever the batch size.

PostgreSQL takes the keys as one array (``= ANY($1)``: one statement whatever the batch size,
so the driver prepares it once); SQLite as an expanded ``IN``. The coherence cache's batched
misses read through these (docs/coherence.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import ARRAY, ColumnElement, String, any_, bindparam
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.db.direct import AnySelect, DirectQuery

Row = TypeVar("Row")
Sessions = async_sessionmaker[AsyncSession]


def is_postgresql(sessionmaker: Sessions) -> bool:
    bind = sessionmaker.kw.get("bind")
    return bind is not None and bind.dialect.name == "postgresql"


def _one_of(column: Any, postgresql: bool) -> ColumnElement[bool]:
    if postgresql:
        one_of: ColumnElement[bool] = column == any_(bindparam("keys", type_=ARRAY(String)))
        return one_of
    return column.in_(bindparam("keys", expanding=True))  # type: ignore[no-any-return]


class BatchQuery(Generic[Row]):
    """``statement`` for every row whose ``column`` is one of a batch of keys."""

    def __init__(self, row: type[Row], statement: AnySelect, column: Any) -> None:
        self.by_dialect = {
            postgresql: DirectQuery(row, statement.where(_one_of(column, postgresql)))
            for postgresql in (True, False)
        }

    async def all(self, sessionmaker: Sessions, keys: Sequence[str]) -> list[Row]:
        query = self.by_dialect[is_postgresql(sessionmaker)]
        return await query.all(sessionmaker, {"keys": list(keys)})
