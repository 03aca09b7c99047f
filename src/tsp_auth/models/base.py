"""Declarative base, constraint naming convention and column types shared by every model."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on both backends.

    PostgreSQL keeps ``timestamptz``; SQLite has no zone, so values are stored as naive UTC
    and handed back aware. A naive datetime is refused: it is always a bug.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused; use tsp_auth.clock.now()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class StringSet(TypeDecorator[frozenset[str]]):
    """A set of short codes (roles, areas, items) kept as a sorted JSON list."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> list[str] | None:
        return None if value is None else sorted(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> frozenset[str] | None:
        return None if value is None else frozenset(value)


# RFC 9562 §5.4, as ``uuid.uuid4`` sets them: the variant bits 10 and the version 4.
_UUID4_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_UUID4_SET = (0x8000 << 48) | (4 << 76)


def new_id(prefix: str) -> str:
    """Opaque, prefixed identifiers (``grt_…``) that say what they name in logs and URLs.

    The hex of a random (version 4) UUID, worked out from 16 random bytes as ``uuid4().hex``
    does, without building the ``UUID`` object: several ids are made per request.
    """
    random = int.from_bytes(os.urandom(16)) & _UUID4_CLEAR | _UUID4_SET
    return f"{prefix}_{random:032x}"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
