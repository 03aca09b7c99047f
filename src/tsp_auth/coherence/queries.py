"""The batched reads behind the cache: one round trip for a batch of keys.

PostgreSQL takes the keys as one array (``= ANY($1)``: one statement whatever the batch size,
so the driver prepares it once); SQLite as an expanded ``IN``. Each read is the same as its
one-key direct statement with the key added to the row, so a cached answer is the answer the
database would have given.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, String, any_, bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.db.direct import DirectQuery
from tsp_auth.models import Client, ConsoleSession, Grant, Service
from tsp_auth.oauth.repository import AccessTokenState, access_token_state
from tsp_auth.tsp_access.repository import _LIVE_SESSION, LiveSession

Sessions = async_sessionmaker[AsyncSession]
TokenKey = tuple[str, str | None, str]  # jti, family id, client id


def _is_postgresql(sessionmaker: Sessions) -> bool:
    bind = sessionmaker.kw.get("bind")
    return bind is not None and bind.dialect.name == "postgresql"


def _one_of(column: Any, postgresql: bool) -> ColumnElement[bool]:
    keys = bindparam("keys", type_=ARRAY(String)) if postgresql else None
    one_of: ColumnElement[bool] = (
        column == any_(keys) if keys is not None else column.in_(bindparam("keys", expanding=True))
    )
    return one_of


def _by_dialect(statement: Any, column: Any) -> dict[bool, DirectQuery]:
    """The batched read as a direct statement (on the driver on PostgreSQL), per dialect."""
    return {
        dialect: DirectQuery(statement.where(_one_of(column, dialect))) for dialect in (True, False)
    }


# --- console sessions, by token hash, with the service id for their tags -------------------

_SESSIONS = select(
    *_LIVE_SESSION.statement.selected_columns,
    ConsoleSession.token_hash.label("key_token_hash"),
    Grant.service_id.label("key_service_id"),
)
_SESSIONS_FROM = _SESSIONS.join(Grant, Grant.id == ConsoleSession.grant_id).outerjoin(
    Service, Service.id == Grant.service_id
)
_SESSIONS_BY = _by_dialect(_SESSIONS_FROM, ConsoleSession.token_hash)


async def live_sessions(
    sessionmaker: Sessions, token_hashes: Sequence[str]
) -> dict[str, tuple[LiveSession, str | None]]:
    query = _SESSIONS_BY[_is_postgresql(sessionmaker)]
    found = {}
    for row in await query.all(sessionmaker, {"keys": list(token_hashes)}):
        token_hash, service_id = row.pop("key_token_hash"), row.pop("key_service_id")
        found[token_hash] = (LiveSession.from_row(row), service_id)
    return found


# --- clients, by id, with the hash of their secret ---------------------------------------

CLIENT_COLUMNS = (
    Client.id,
    Client.partner_id,
    Client.service_id,
    Client.client_type,
    Client.redirect_uris,
    Client.allowed_origins,
    Client.scopes,
    Client.status,
    Client.secret_hash,
)
_CLIENTS_BY = _by_dialect(select(*CLIENT_COLUMNS), Client.id)


async def clients(sessionmaker: Sessions, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    query = _CLIENTS_BY[_is_postgresql(sessionmaker)]
    return {row["id"]: row for row in await query.all(sessionmaker, {"keys": list(ids)})}


# --- access-token state: its revocation, its family's and its client's status -------------

_TOKEN_STATES = text(
    """
SELECT key.jti, key.family_id, key.client_id,
       EXISTS (SELECT 1 FROM revoked_tokens AS r WHERE r.jti = key.jti),
       (SELECT f.revoked_at IS NOT NULL FROM token_families AS f WHERE f.id = key.family_id),
       (SELECT c.status FROM clients AS c WHERE c.id = key.client_id)
FROM unnest(:jtis, :families, :clients) AS key(jti, family_id, client_id)
"""
).bindparams(
    bindparam("jtis", type_=ARRAY(String)),
    bindparam("families", type_=ARRAY(String)),
    bindparam("clients", type_=ARRAY(String)),
)


async def token_states(
    sessionmaker: Sessions, keys: Sequence[TokenKey]
) -> dict[TokenKey, AccessTokenState]:
    if not _is_postgresql(sessionmaker):  # one process, no pool to spare: one by one
        return {
            key: await access_token_state(
                sessionmaker, jti=key[0], family_id=key[1], client_id=key[2]
            )
            for key in keys
        }
    params = {
        name: [key[i] for key in keys] for i, name in enumerate(("jtis", "families", "clients"))
    }
    async with sessionmaker() as session:
        rows = (await session.execute(_TOKEN_STATES, params)).all()
    return {
        (jti, family, client): AccessTokenState(
            jti_revoked=bool(revoked), family_revoked=bool(family_revoked), client_status=status
        )
        for jti, family, client, revoked, family_revoked, status in rows
    }
