"""SQL of the audit trail: reading it, the subjects refusals are recorded about, and the lone
events written outside a unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import ColumnElement, false, insert, select, true
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tsp_auth.audit.schemas import AuditQuery
from tsp_auth.db.direct import execute_on_driver
from tsp_auth.db.keyset import keyset_page
from tsp_auth.live.caller_state import Caller
from tsp_auth.models import AuditEvent, AuthorizationRequest, Grant


def visible_to(caller: Caller) -> ColumnElement[bool]:
    """A seller's accounts read their seller's events, a partner admin its partner's, an
    operator every event; any other account none."""
    if caller.is_operator:
        return true()
    if caller.kind == "seller" and caller.seller_id is not None:
        return AuditEvent.seller_id == caller.seller_id
    if caller.is_partner_admin and caller.partner_id is not None:
        return AuditEvent.partner_id == caller.partner_id
    return false()


async def page(
    session: AsyncSession, where: Sequence[ColumnElement[bool]], query: AuditQuery
) -> tuple[Sequence[AuditEvent], str | None]:
    """A page in (occurred_at, id) order, ascending or descending."""
    columns = (AuditEvent.occurred_at, AuditEvent.id)
    statement = select(AuditEvent).where(*where)
    return await keyset_page(session, statement, columns, query, descending=query.order == "desc")


async def refused_request(session: AsyncSession, request_id: str) -> AuthorizationRequest | None:
    """The authorization request a refusal is about. By primary key: already in the identity
    map when the flow got that far, so usually no query at all."""
    return await session.get(AuthorizationRequest, request_id)


async def refused_grant(session: AsyncSession, grant_id: str) -> Grant | None:
    """The grant a refusal is about (by primary key, as ``refused_request``)."""
    return await session.get(Grant, grant_id)


@dataclass(slots=True)
class AuditRow:
    """One audit event as it is written: the columns of ``audit_events``.

    Not frozen: a frozen dataclass sets each of its 13 fields through ``object.__setattr__``,
    and a row is built for every audited request, then only read (docs/performance.md,
    "Figures from the code")."""

    id: str
    occurred_at: datetime
    action: str
    outcome: str
    reason: str | None
    actor_id: str | None
    actor_type: str
    on_behalf_of: str | None
    partner_id: str | None
    seller_id: str | None
    grant_id: str | None
    request_id: str | None
    detail: dict[str, Any]


_COLUMNS = tuple(f.name for f in fields(AuditRow))
# Each column's type in the batch's JSON; the table's own types are assigned from these.
_BATCH_TYPES = {"occurred_at": "timestamptz", "detail": "json"}
_BATCH_COLUMNS = ", ".join(f"{c} {_BATCH_TYPES.get(c, 'text')}" for c in _COLUMNS)


def pg_insert_many(parameter: int = 1) -> str:
    """PostgreSQL: the INSERT of a batch of events, one statement of fixed text, so the driver
    prepares it once, and one parameter (``$parameter``: another statement's may come first):
    the rows as one JSON array (``pg_batch``), turned back into rows by json_to_recordset.
    Built from the dataclass's field names: no value is ever part of the text."""
    return (
        f"INSERT INTO {AuditEvent.__tablename__} ({', '.join(_COLUMNS)}) "  # noqa: S608
        f"SELECT {', '.join(_COLUMNS)} "
        f"FROM json_to_recordset(${parameter}::json) AS batch({_BATCH_COLUMNS})"
    )


_PG_INSERT_MANY = pg_insert_many()


def row_values(row: AuditRow) -> dict[str, Any]:
    """Column → value of ``row``, values as they are (``asdict`` would deep-copy ``detail``)."""
    return {column: getattr(row, column) for column in _COLUMNS}


def pg_batch(rows: Sequence[AuditRow]) -> str:
    """The rows as one JSON array of objects, written by orjson straight from the dataclasses
    (``occurred_at`` in RFC 3339 with its microseconds and offset). One text parameter costs
    the driver far less than 13 arrays, each element of which it inspects (``isinstance``
    against ``collections.abc``) before encoding it. ``detail`` is stored as this compact
    JSON text (the column is ``json``); read back, its values are the same. Keys of ``detail``
    that are not strings become strings, as ``json.dumps`` makes them."""
    return orjson.dumps(rows, option=orjson.OPT_NON_STR_KEYS).decode()


async def insert_events(
    sessionmaker: async_sessionmaker[AsyncSession], rows: Sequence[AuditRow]
) -> None:
    """Write ``rows`` as one multi-row INSERT, committed on its own: all of them or none.

    On PostgreSQL one statement on the driver, in autocommit (one round trip, atomic by
    itself); elsewhere (SQLite, or a session bound to a test's open transaction) a multi-row
    ``INSERT … VALUES`` in a transaction of a session.
    """
    bind = sessionmaker.kw.get("bind")
    if isinstance(bind, AsyncEngine) and bind.dialect.name == "postgresql":
        await execute_on_driver(bind, _PG_INSERT_MANY, [pg_batch(rows)])
        return
    statement = insert(AuditEvent).values([row_values(row) for row in rows])
    async with sessionmaker() as session, session.begin():
        await session.execute(statement)
