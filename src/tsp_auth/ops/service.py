"""Readiness: the database answers and its schema is at the migrations' head."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.errors import ServiceUnavailable
from tsp_auth.migrations import current_revisions, head_revisions


async def check_ready(
    sessionmaker: async_sessionmaker[AsyncSession], seconds: float, retry_after: int
) -> list[str]:
    headers = {"Retry-After": str(retry_after)}
    try:
        async with asyncio.timeout(seconds), sessionmaker() as session:
            current = await current_revisions(await session.connection())
    except Exception as exc:
        raise ServiceUnavailable(
            f"database unreachable ({type(exc).__name__})", error="not_ready", headers=headers
        ) from exc
    heads = head_revisions()
    if current != heads:
        raise ServiceUnavailable(
            f"migrations not at head: database {sorted(current)}, code {sorted(heads)}",
            error="not_ready",
            headers=headers,
        )
    return sorted(current)
