"""A direct statement for a batch of keys: one round trip whatever the batch size.

PostgreSQL takes the keys as one array (``= ANY($1)``: one statement whatever the batch size,
so the driver prepares it once); SQLite as an expanded ``IN``. The coherence cache's batched
misses read through these (docs/coherence.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from operator import attrgetter
from typing import Any, Generic, TypeVar

from sqlalchemy import ARRAY, ColumnElement, Text, any_, bindparam
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.db.direct import AnySelect, DirectQuery

Row = TypeVar("Row")
Sessions = async_sessionmaker[AsyncSession]


# An id as we make them (``acc_<hex>``, ``sel_<hex>``, the demo's ``acc_demo_…``).
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def batchable(key: str | None) -> bool:
    """Whether ``key`` may share a batch with other requests' keys: an id as we make them (or
    no key). Anything else (a NUL PostgreSQL refuses, a lone surrogate the driver cannot
    encode, from a request body or a token's claim) is read on its own, so it fails its own
    request, as before, never the batch of others it would have been read with."""
    return key is None or _PLAIN_KEY.fullmatch(key) is not None


def is_postgresql(sessionmaker: Sessions) -> bool:
    bind = sessionmaker.kw.get("bind")
    return bind is not None and bind.dialect.name == "postgresql"


def _one_of(column: Any, postgresql: bool) -> ColumnElement[bool]:
    if postgresql:
        # text[], not varchar[]: asyncpg encodes text[] itself, a varchar[] only after
        # introspecting the type (three more round trips on each new connection).
        one_of: ColumnElement[bool] = column == any_(bindparam("keys", type_=ARRAY(Text)))
        return one_of
    return column.in_(bindparam("keys", expanding=True))  # type: ignore[no-any-return]


class BatchQuery(Generic[Row]):
    """``statement`` for every row whose ``column`` is one of a batch of keys; ``key``: the
    row's field that holds its key, for ``keyed`` (the cache's batches)."""

    def __init__(
        self, row: type[Row], statement: AnySelect, column: Any, *, key: str | None = None
    ) -> None:
        self.by_dialect = {
            postgresql: DirectQuery(row, statement.where(_one_of(column, postgresql)))
            for postgresql in (True, False)
        }
        self._key = None if key is None else attrgetter(key)

    async def all(self, sessionmaker: Sessions, keys: Sequence[str]) -> list[Row]:
        query = self.by_dialect[is_postgresql(sessionmaker)]
        return await query.all(sessionmaker, {"keys": list(keys)})

    async def keyed(self, sessionmaker: Sessions, keys: Sequence[str]) -> dict[str, Row]:
        """``all``, by key: one row per key (the key is unique), none for a key not found."""
        assert self._key is not None, "a BatchQuery read by key names its key field"
        key_of = self._key
        return {key_of(row): row for row in await self.all(sessionmaker, keys)}
