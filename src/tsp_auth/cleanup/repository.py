"""SQL of the cleanup: one bounded batch per call, safe with several cleaners at once.

Each batch is ``DELETE … WHERE key IN (SELECT key … LIMIT n FOR UPDATE SKIP LOCKED)``: it
locks at most ``n`` rows, only for its own short transaction, and two cleaners (or a worker
claiming a delivery) skip each other's rows instead of waiting. SQLite has no row locks;
its writers queue behind ``BEGIN IMMEDIATE``. Every predicate has an index (migration 0009).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Select, delete, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from tsp_auth.models import (
    AuthorizationCode,
    ConsoleSession,
    LoginToken,
    PushedAuthorizationRequest,
    RefreshToken,
    RevokedToken,
    UsedJti,
    WebhookAttempt,
    WebhookDelivery,
)
from tsp_auth.models.base import Base

# Outbox rows the worker will never touch again (pending rows are never deleted).
FINISHED_DELIVERIES = ("delivered", "failed", "cancelled")


def _past(column: InstrumentedAttribute[datetime]) -> Callable[[datetime], ColumnElement[bool]]:
    return lambda cutoff: column < cutoff


def _session_over(cutoff: datetime) -> ColumnElement[bool]:
    return or_(ConsoleSession.ended_at < cutoff, ConsoleSession.expires_at < cutoff)


def _login_token_over(cutoff: datetime) -> ColumnElement[bool]:
    # A session names its login token (foreign key): the token goes after the session.
    opened = exists().where(ConsoleSession.login_jti == LoginToken.jti)
    return (LoginToken.expires_at < cutoff) & ~opened


def _delivery_over(cutoff: datetime) -> ColumnElement[bool]:
    return WebhookDelivery.status.in_(FINISHED_DELIVERIES) & (WebhookDelivery.created_at < cutoff)


# table -> (model, key column, "is this row past cutoff").
TABLES: dict[str, tuple[type[Base], Any, Callable[[datetime], ColumnElement[bool]]]] = {
    "authorization_codes": (
        AuthorizationCode,
        AuthorizationCode.id,
        _past(AuthorizationCode.expires_at),
    ),
    "refresh_tokens": (RefreshToken, RefreshToken.id, _past(RefreshToken.expires_at)),
    "revoked_tokens": (RevokedToken, RevokedToken.jti, _past(RevokedToken.expires_at)),
    "console_sessions": (ConsoleSession, ConsoleSession.id, _session_over),
    "login_tokens": (LoginToken, LoginToken.jti, _login_token_over),
    "webhook_deliveries": (WebhookDelivery, WebhookDelivery.id, _delivery_over),
    "pushed_authorization_requests": (
        PushedAuthorizationRequest,
        PushedAuthorizationRequest.id,
        _past(PushedAuthorizationRequest.expires_at),
    ),
    # A jti is remembered while a token carrying it could still be accepted; the key is a
    # SHA-256 (of the jti with its issuer), unique across kinds.
    "used_jtis": (UsedJti, UsedJti.key, _past(UsedJti.expires_at)),
}


def _doomed(table: str, cutoff: datetime, limit: int) -> Select[Any]:
    _, key, over = TABLES[table]
    return select(key).where(over(cutoff)).limit(limit).with_for_update(skip_locked=True)


async def delete_batch(session: AsyncSession, table: str, cutoff: datetime, limit: int) -> int:
    """Delete up to ``limit`` rows of ``table`` past ``cutoff``; return how many went."""
    if table == "webhook_deliveries":
        return await _delete_deliveries(session, cutoff, limit)
    model, key, _ = TABLES[table]
    statement = delete(model).where(key.in_(_doomed(table, cutoff, limit).scalar_subquery()))
    result = cast(CursorResult[Any], await session.execute(statement))
    return result.rowcount


async def _delete_deliveries(session: AsyncSession, cutoff: datetime, limit: int) -> int:
    """Deliveries with their attempts. The ids are read first so both deletes take the same
    rows (a second subquery could pick others); ``limit`` ≤ 10 000 keeps the IN list within
    SQLite's and asyncpg's bound-parameter limits."""
    ids = list((await session.scalars(_doomed("webhook_deliveries", cutoff, limit))).all())
    if ids:
        await session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(ids)))
        await session.execute(delete(WebhookDelivery).where(WebhookDelivery.id.in_(ids)))
    return len(ids)
