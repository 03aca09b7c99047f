"""SQL for codes, token families, refresh tokens and revoked access tokens.

Single use is one atomic ``UPDATE … WHERE used_at IS NULL AND expires_at > now RETURNING id``
(STYLE §11): of any number of concurrent redemptions, in any number of processes, exactly one
gets its row back. On PostgreSQL the others wait for the winner's row lock, then find the row
used; on SQLite ``BEGIN IMMEDIATE`` queues whole transactions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ARRAY, String, bindparam, exists, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.coherence import publish, tags
from tsp_auth.db.batched import Sessions, is_postgresql
from tsp_auth.db.direct import DirectQuery, SessionSource
from tsp_auth.models import AuthorizationCode, Client, RefreshToken, RevokedToken, TokenFamily


async def code_by_hash(session: AsyncSession, code_hash: str) -> AuthorizationCode | None:
    statement = select(AuthorizationCode).where(AuthorizationCode.code_hash == code_hash)
    return await session.scalar(statement.execution_options(populate_existing=True))


async def _use_once(
    session: AsyncSession, model: type[AuthorizationCode | RefreshToken], row_id: str, at: datetime
) -> bool:
    """Single use across processes (STYLE §11): one conditional UPDATE; the loser of a race
    waits for the winner's row lock, then matches no row."""
    result = await session.execute(
        update(model)
        .where(model.id == row_id, model.used_at.is_(None), model.expires_at > at)
        .values(used_at=at)
        .returning(model.id)
        .execution_options(synchronize_session=False)
    )
    return result.scalar_one_or_none() is not None


async def redeem_code(session: AsyncSession, code_id: str, at: datetime) -> bool:
    """Mark an unused, unexpired code used; False if another request got there first."""
    return await _use_once(session, AuthorizationCode, code_id, at)


async def code_was_used(session: AsyncSession, code_id: str) -> bool:
    """Read fresh (what a concurrent winner committed), not this session's copy."""
    used_at = await session.scalar(
        select(AuthorizationCode.used_at).where(AuthorizationCode.id == code_id)
    )
    return used_at is not None


async def refresh_by_hash(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    statement = select(RefreshToken).where(RefreshToken.token_hash == token_hash)
    return await session.scalar(statement.execution_options(populate_existing=True))


async def use_refresh_token(session: AsyncSession, token_id: str, at: datetime) -> bool:
    """Rotation: mark an unused, unexpired refresh token used; False if it was not."""
    return await _use_once(session, RefreshToken, token_id, at)


async def refresh_was_used(session: AsyncSession, token_id: str) -> bool:
    used_at = await session.scalar(select(RefreshToken.used_at).where(RefreshToken.id == token_id))
    return used_at is not None


async def family(session: AsyncSession, family_id: str) -> TokenFamily | None:
    statement = select(TokenFamily).where(TokenFamily.id == family_id)
    return await session.scalar(statement.execution_options(populate_existing=True))


async def family_revoked(session: AsyncSession, family_id: str) -> bool:
    revoked_at = await session.scalar(
        select(TokenFamily.revoked_at).where(TokenFamily.id == family_id)
    )
    return revoked_at is not None


async def revoke_family(session: AsyncSession, family_id: str, at: datetime, reason: str) -> bool:
    """Revoke every token of a family; False if it was revoked already (the first reason stays)."""
    result = await session.execute(
        update(TokenFamily)
        .where(TokenFamily.id == family_id, TokenFamily.revoked_at.is_(None))
        .values(revoked_at=at, revoked_reason=reason)
        .returning(TokenFamily.id)
        .execution_options(synchronize_session=False)
    )
    await publish(session, tags.family(family_id))
    return result.scalar_one_or_none() is not None


async def jti_revoked(session: AsyncSession, jti: str) -> bool:
    return bool(await session.scalar(select(exists().where(RevokedToken.jti == jti))))


async def revoke_jti(session: AsyncSession, jti: str, expires_at: datetime, at: datetime) -> None:
    """Add an access token id to the revocation list; revoking twice is no error."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(RevokedToken)
        .values(jti=jti, expires_at=expires_at, revoked_at=at)
        .on_conflict_do_nothing(index_elements=[RevokedToken.jti])
    )
    await session.execute(statement)
    await publish(session, tags.token(jti))


@dataclass(frozen=True, slots=True)
class AccessTokenState:
    """What the database says of a signed access token: anything here can end it early."""

    jti_revoked: bool
    family_revoked: bool
    client_status: str | None  # None: the client is gone


# Introspection's one read for an access token (hot path): its revocation, its family's, and
# its client's status, each by primary key, in one round trip.
_ACCESS_TOKEN_STATE = DirectQuery(
    AccessTokenState,
    select(
        exists().where(RevokedToken.jti == bindparam("jti")).label("jti_revoked"),
        exists()
        .where(TokenFamily.id == bindparam("family_id"), TokenFamily.revoked_at.is_not(None))
        .label("family_revoked"),
        select(Client.status)
        .where(Client.id == bindparam("client_id"))
        .scalar_subquery()
        .label("client_status"),
    ),
)


async def access_token_state(
    source: SessionSource,
    *,
    jti: str,
    family_id: str | None,
    client_id: str,
) -> AccessTokenState:
    state = await _ACCESS_TOKEN_STATE.first(
        source, {"jti": jti, "family_id": family_id, "client_id": client_id}
    )
    assert state is not None  # a SELECT without FROM always answers one row
    return state


TokenKey = tuple[str, str | None, str]  # jti, family id, client id

# ``_ACCESS_TOKEN_STATE`` for a batch of tokens (PostgreSQL: the keys as three arrays).
_TOKEN_STATES = text(
    """
SELECT key.jti, key.family_id, key.client_id,
       EXISTS (SELECT 1 FROM revoked_tokens AS r WHERE r.jti = key.jti),
       EXISTS (SELECT 1 FROM token_families AS f
               WHERE f.id = key.family_id AND f.revoked_at IS NOT NULL),
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
    """``access_token_state`` for a batch of tokens, in one round trip (the cache's misses)."""
    if not is_postgresql(sessionmaker):  # one process, no pool to spare: one by one
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
