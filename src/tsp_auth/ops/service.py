"""Readiness (the database answers, its schema at head) and who may read /metrics."""

from __future__ import annotations

import asyncio
import hashlib
import hmac

from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.config import Settings
from tsp_auth.db.migrations import current_revisions, head_revisions
from tsp_auth.kit.errors import ServiceUnavailable, Unauthorized
from tsp_auth.policy import Reason


async def check_ready(
    sessionmaker: async_sessionmaker[AsyncSession], seconds: float, retry_after: int
) -> list[str]:
    headers = {"Retry-After": str(retry_after)}
    try:
        async with asyncio.timeout(seconds), sessionmaker() as session:
            current = await current_revisions(await session.connection())
    except Exception as exc:
        raise ServiceUnavailable(
            f"database unreachable ({type(exc).__name__})", error=Reason.NOT_READY, headers=headers
        ) from exc
    heads = head_revisions()
    if current != heads:
        raise ServiceUnavailable(
            f"migrations not at head: database {sorted(current)}, code {sorted(heads)}",
            error=Reason.NOT_READY,
            headers=headers,
        )
    return sorted(current)


def check_metrics_access(
    settings: Settings, credentials: HTTPAuthorizationCredentials | None
) -> None:
    """With ``TSP_AUTH_METRICS_TOKEN`` set, /metrics needs it as a bearer token (RFC 6750 §2.1).

    Metrics name routes, rates and outcomes: reconnaissance for an attacker, so production can
    keep them for its scraper. Both sides are hashed before the constant-time comparison, so
    neither the token's length nor its prefix leaks through timing.
    """
    if settings.metrics_token is None:
        return
    challenge = 'Bearer realm="tsp-auth metrics"'
    if credentials is None:
        raise Unauthorized(
            "/metrics needs its bearer token", headers={"WWW-Authenticate": challenge}
        )
    expected = hashlib.sha256(settings.metrics_token.get_secret_value().encode()).digest()
    given = hashlib.sha256(credentials.credentials.encode("utf-8", "replace")).digest()
    if not hmac.compare_digest(expected, given):
        raise Unauthorized(
            "wrong metrics token",
            error=Reason.INVALID_TOKEN,
            headers={"WWW-Authenticate": f'{challenge}, error="invalid_token"'},
        )
