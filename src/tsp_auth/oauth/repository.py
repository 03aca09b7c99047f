"""SQL for codes, token families, refresh tokens and revoked access tokens.

Single use is one atomic ``UPDATE … WHERE used_at IS NULL AND expires_at > now RETURNING id``
(STYLE §11): of any number of concurrent redemptions, in any number of processes, exactly one
gets its row back. On PostgreSQL the others wait for the winner's row lock, then find the row
used; on SQLite ``BEGIN IMMEDIATE`` queues whole transactions.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.coherence import publish, tags
from tsp_auth.models import AuthorizationCode, RefreshToken, RevokedToken, TokenFamily


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
