"""SQL of the login token's row (DESIGN §3 single use): written with its audit event when a
login mints it (login.py), marked redeemed once (sessions.py).

Minting writes the token's row and its ``login_token.minted`` event together, all or
nothing, before the token is handed out. On PostgreSQL concurrent logins are group-committed
(``audit/committer.py``): one statement per batch on the driver, in autocommit (no BEGIN,
no COMMIT), the tokens' INSERT in a data-modifying ``WITH`` ahead of their events', so it is
atomic by itself. SQLite has no data-modifying ``WITH``: there (and on a session bound to a
test's open transaction) one login's two INSERTs run in one session's transaction.

Single use rests on the row's primary key (``jti``) and redemption's conditional UPDATE.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.audit.committer import committers
from tsp_auth.audit.repository import AuditRow, pg_batch, pg_insert_many
from tsp_auth.db.direct import driver_engine, execute_on_driver
from tsp_auth.models import AuditEvent, LoginToken

Sessions = async_sessionmaker[AsyncSession]


def _bound(table: Any, prefix: str) -> dict[str, Any]:
    return {c.key: bindparam(prefix + c.key, type_=c.type) for c in table.columns}


# SQLite (and a session bound to a test's open transaction): the two INSERTs of one login in
# one session's transaction; bind names: the prefix of each table's parameters.
_EVENT, _TOKEN = "event_", "login_token_"
_INSERT_TOKEN = insert(LoginToken).values(_bound(LoginToken.__table__, _TOKEN))
_INSERT_EVENT = insert(AuditEvent).values(_bound(AuditEvent.__table__, _EVENT))
_EVENT_COLUMNS = tuple((_EVENT + f.name, f.name) for f in fields(AuditRow))

# PostgreSQL: the logins of a batch in one statement of fixed text (prepared once): each token
# column one array parameter, unnest() turning them back into rows, the tokens' INSERT in a
# data-modifying WITH ahead of their events' (audit/repository.py writes those, from one JSON
# parameter). Roles go as the JSON text SQLAlchemy would have written (``StringSet``: a
# sorted list), cast back.
_TOKEN_ARRAYS = {
    "jti": "text[]",
    "grant_id": "text[]",
    "grant_version": "int[]",
    "member_id": "text[]",
    "partner_id": "text[]",
    "seller_id": "text[]",
    "roles": "text[]",
    "created_at": "timestamptz[]",
    "expires_at": "timestamptz[]",
    "redeemed_at": "timestamptz[]",
}
_TOKEN_COLUMNS = ", ".join(_TOKEN_ARRAYS)
_PG_MINT_MANY = (
    f"WITH minted AS (INSERT INTO {LoginToken.__tablename__} ({_TOKEN_COLUMNS}) "  # noqa: S608
    f"SELECT {_TOKEN_COLUMNS.replace('roles', 'roles::json')} FROM unnest("
    + ", ".join(f"${n}::{kind}" for n, kind in enumerate(_TOKEN_ARRAYS.values(), start=1))
    + f") AS batch({_TOKEN_COLUMNS})) "
    + pg_insert_many(len(_TOKEN_ARRAYS) + 1)
)
MintedLogin = tuple[Mapping[str, Any], AuditRow]  # a login token's row and its event


async def insert_login_token(
    sessionmaker: Sessions, token: Mapping[str, Any], event: AuditRow
) -> None:
    """The single-use row of a minted login token (its ``jti`` is the primary key) and its
    audit event, committed together before this returns.

    On PostgreSQL concurrent logins are group-committed (``audit/committer.py``): one
    statement per batch, each caller answered once its batch is committed; a batch that
    fails fails each of its callers and writes nothing. A batch's rows have all passed the
    candidates read (the seller, grant and member exist), so one login's values do not fail
    the others'.
    """
    if driver_engine(sessionmaker) is not None:
        await _MINTED.of(sessionmaker).submit((token, event))
        return
    params = {_TOKEN + key: value for key, value in token.items()}
    # The event's values as they are (no dataclasses.asdict: it deep-copies ``detail``).
    params.update({bind: getattr(event, name) for bind, name in _EVENT_COLUMNS})
    async with sessionmaker() as session, session.begin():
        connection = await session.connection()
        await connection.execute(_INSERT_TOKEN, params)
        await connection.execute(_INSERT_EVENT, params)


async def _mint_many(sessionmaker: Sessions, batch: Sequence[MintedLogin]) -> None:
    engine = driver_engine(sessionmaker)
    assert engine is not None  # only logins through a driver engine are group-committed
    await execute_on_driver(engine, _PG_MINT_MANY, _mint_arrays(batch))


# One per app, drained at shutdown with the lone events (audit.committer).
_MINTED = committers(_mint_many, name="login-group-commit")


def _mint_arrays(batch: Sequence[MintedLogin]) -> list[Any]:
    """The tokens' columns as arrays, then their events as one JSON text (``pg_batch``)."""
    arrays = [[token[column] for token, _ in batch] for column in _TOKEN_ARRAYS]
    roles = list(_TOKEN_ARRAYS).index("roles")
    arrays[roles] = [json.dumps(sorted(value)) for value in arrays[roles]]
    return [*arrays, pg_batch([event for _, event in batch])]


# Redemption (sessions.py): in the request's unit of work ----------------------------------


@dataclass(frozen=True, slots=True)
class RedeemedLogin:
    """The row of a login token just marked redeemed, as its UPDATE returned it."""

    jti: str
    grant_id: str
    grant_version: int
    member_id: str
    partner_id: str
    seller_id: str


_REDEEM = (
    update(LoginToken)
    .where(
        LoginToken.jti == bindparam("redeemed_jti"),
        LoginToken.redeemed_at.is_(None),
        LoginToken.expires_at > bindparam("at"),
    )
    .values(redeemed_at=bindparam("at"))
    .returning(
        LoginToken.jti,
        LoginToken.grant_id,
        LoginToken.grant_version,
        LoginToken.member_id,
        LoginToken.partner_id,
        LoginToken.seller_id,
    )
)


async def redeem_login_token(session: AsyncSession, jti: str, at: datetime) -> RedeemedLogin | None:
    """Mark the login token redeemed if nobody has and it has not expired; else None.

    One conditional UPDATE, its row back by RETURNING (no read after it): of any number of
    concurrent redemptions, in any number of processes, exactly one matches the row
    (PostgreSQL: the others wait for its row lock, then see ``redeemed_at`` set; SQLite:
    writers queue behind BEGIN IMMEDIATE).
    """
    connection = await session.connection()
    row = (await connection.execute(_REDEEM, {"redeemed_jti": jti, "at": at})).first()
    return None if row is None else RedeemedLogin(*row)
