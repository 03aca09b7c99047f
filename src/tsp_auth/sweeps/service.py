"""The sweep: store ``expired`` on lapsed grants and send ``grant.expiring`` reminders.

Reads never needed the sweep (the effective status already says ``expired``); it exists so
the partner hears about it (``grant.expired`` webhook), the trail records it, and reminders go
out 30, 7 and 1 days before expiry — once each per expiry, enforced by the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.audit.service import SYSTEM
from tsp_auth.clock import now as clock_now
from tsp_auth.grants.engine import ExpireLapsed, reduce_access
from tsp_auth.grants.events import grant_payload
from tsp_auth.models.grants import parties
from tsp_auth.sweeps import repository
from tsp_auth.webhooks.outbox import emit

BATCH = 500
# (days, after_days): a grant expiring in (after_days, days] days is due the `days` reminder.
# Only the tightest window applies, so a sweep that was down never sends stale reminders.
REMINDER_WINDOWS: tuple[tuple[int, int], ...] = ((1, 0), (7, 1), (30, 7))


@dataclass(frozen=True, slots=True)
class SweepResult:
    expired: int
    reminded: int


async def expire_batch(session: AsyncSession, at: datetime, limit: int = BATCH) -> int:
    """Expire up to ``limit`` lapsed grants, with their audit events and webhooks."""
    return len(await reduce_access(session, ExpireLapsed(limit), actor=SYSTEM, at=at))


async def remind_batch(
    session: AsyncSession, at: datetime, days: int, after_days: int, limit: int = BATCH
) -> tuple[int, int]:
    """Send the ``days`` reminder to up to ``limit`` grants; returns (candidates, sent)."""
    grants = await repository.reminder_candidates(session, at, days, after_days, limit)
    claimed = await repository.claim_reminders(session, grants, days, at)
    for grant in grants:
        _, partner_id = parties(grant)
        if grant.id in claimed and partner_id is not None:
            payload = {**grant_payload(grant), "days_left": days}
            await emit(session, "grant.expiring", partner_id, payload, at=at)
    return len(grants), len(claimed)


async def sweep(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    now: datetime | None = None,
    limit: int = BATCH,
) -> SweepResult:
    """Run every batch to completion, each in its own short transaction."""
    at = now or clock_now()
    expired = reminded = 0
    while True:
        async with sessionmaker() as session, session.begin():
            moved = await expire_batch(session, at, limit)
        expired += moved
        if moved < limit:
            break
    for days, after_days in REMINDER_WINDOWS:
        while True:
            async with sessionmaker() as session, session.begin():
                candidates, sent = await remind_batch(session, at, days, after_days, limit)
            reminded += sent
            if candidates < limit:
                break
    return SweepResult(expired=expired, reminded=reminded)
