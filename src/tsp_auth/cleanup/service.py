"""The cleanup: delete, in bounded batches, the rows nothing will read again.

What goes, and when (docs/operations.md "Cleanup"): authorization codes, refresh tokens,
login tokens and revoked access-token ids a grace period after they expired — a deleted one
is then refused for its expiry, as it was before; console sessions a retention period after
they ended or expired; finished outbox rows (and their attempts) a retention period after they
were queued. Audit events are never deleted: they are the trail sellers read and export.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.cleanup import repository
from tsp_auth.clock import now as clock_now
from tsp_auth.config import Settings
from tsp_auth.observability.metrics import CLEANUP_ROWS

# Sessions before login tokens: a session's foreign key names its login token.
ORDER = (
    "authorization_codes",
    "refresh_tokens",
    "revoked_tokens",
    "console_sessions",
    "login_tokens",
    "webhook_deliveries",
    "pushed_authorization_requests",
    "used_jtis",
)


@dataclass(slots=True)
class CleanupResult:
    deleted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ORDER, 0))
    batches: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ORDER, 0))

    @property
    def total(self) -> int:
        return sum(self.deleted.values())

    def summary(self) -> str:
        rows = ", ".join(f"{table} {n}" for table, n in self.deleted.items())
        return f"cleanup: {self.total} rows deleted ({rows})"


def cutoffs(settings: Settings, at: datetime) -> dict[str, datetime]:
    """Per table, the moment before which a row is deleted."""
    token = at - settings.cleanup_token_grace
    return {
        "authorization_codes": token,
        "refresh_tokens": token,
        "revoked_tokens": token,
        "console_sessions": at - settings.cleanup_session_retention,
        "login_tokens": token,
        "webhook_deliveries": at - settings.cleanup_outbox_retention,
        "pushed_authorization_requests": token,
        "used_jtis": at,
    }


async def cleanup(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    now: datetime | None = None,
    limit: int | None = None,
) -> CleanupResult:
    """Delete every table's rows past its cutoff, one committed batch after another.

    A batch that deletes fewer than ``limit`` rows is the table's last, so a run ends even
    while new rows keep expiring.
    """
    batch = limit or settings.cleanup_batch_size
    result = CleanupResult()
    limits = cutoffs(settings, now or clock_now())
    for table in ORDER:
        cutoff = limits[table]
        while True:
            async with sessionmaker() as session, session.begin():
                deleted = await repository.delete_batch(session, table, cutoff, batch)
            CLEANUP_ROWS.labels(table).inc(deleted)
            result.deleted[table] += deleted
            result.batches[table] += 1
            if deleted < batch:
                break
    return result
