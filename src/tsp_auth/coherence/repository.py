"""SQL of the protocol: notify, leases, acknowledgements (PostgreSQL only).

The listener's statements run on its own asyncpg connection (``$n`` parameters); the writer's
wait runs on a pooled connection in autocommit (``publish.wait_for_acks``): each poll and the
final forget is one round trip, no BEGIN, COMMIT or ROLLBACK around it, and each poll sees
the acks committed before it. ``now()`` in every one of them: the database clock is the
protocol's only wall clock.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg
from sqlalchemy import ARRAY, String, bindparam, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

CHANNEL = "tsp_auth_invalidations"
_CLOCK = "SELECT now()"
# Register a new incarnation, in one statement: retire every earlier incarnation of this
# process (nothing it cached survived its connection), and tidy what nobody waits for any
# more: leases lapsed long ago, acks no writer waits for. Only while ``$4`` (apply-by) has not
# passed: a registration the process gave up on must neither insert a row nobody renews nor
# retire the incarnation that replaced it. No row returned: nothing was done.
_REGISTER = """
WITH retired AS (
    DELETE FROM coherence_leases
    WHERE (starts_with(process_id, $3) AND now() < $4)
       OR expires_at < now() - interval '1 hour'
), tidied AS (
    DELETE FROM coherence_acks WHERE acked_at < now() - interval '10 minutes'
)
INSERT INTO coherence_leases (process_id, registered_at, registered_snapshot, expires_at)
SELECT $1, now(), pg_current_snapshot()::text, now() + $2 * interval '1 second'
WHERE now() < $4
RETURNING now()
"""
# Extend this incarnation's lease: only a row that exists (never re-created: a retired
# incarnation stays retired), that has not lapsed (writers stopped waiting for it; the process
# must register anew, with an empty cache), and only while ``$3`` (apply-by) has not passed.
# Beside it, as at registration, the tidying (harmless whenever it runs).
_RENEW = """
WITH lapsed AS (
    DELETE FROM coherence_leases WHERE expires_at < now() - interval '1 hour'
), tidied AS (
    DELETE FROM coherence_acks WHERE acked_at < now() - interval '10 minutes'
)
UPDATE coherence_leases SET expires_at = now() + $2 * interval '1 second'
WHERE process_id = $1 AND expires_at > now() AND now() < $3
RETURNING now()
"""
_ACK = """
INSERT INTO coherence_acks (invalidation_id, process_id, acked_at)
SELECT id, $2, now() FROM unnest($1::text[]) AS ids(id)
ON CONFLICT DO NOTHING
"""
_RELEASE = text("DELETE FROM coherence_leases WHERE process_id = :me")

# Pairs (live lease, invalidation) still unacknowledged. A lease whose registration saw the
# invalidation's transaction committed is not waited for: its cache was emptied when that
# registration answered, after the commit. One registered before the commit was listening
# before it, so it hears the notification. (No snapshot: registered before it was recorded.)
_UNACKNOWLEDGED = text(
    """
SELECT count(*) AS missing
FROM coherence_leases AS lease CROSS JOIN unnest(:ids, :xids) AS inv(id, xid)
WHERE lease.process_id IS DISTINCT FROM :me
  AND lease.expires_at > now()
  AND (lease.registered_snapshot IS NULL
       OR NOT pg_visible_in_snapshot(inv.xid::xid8, lease.registered_snapshot::pg_snapshot))
  AND NOT EXISTS (
      SELECT 1 FROM coherence_acks AS ack
      WHERE ack.invalidation_id = inv.id AND ack.process_id = lease.process_id
  )
"""
).bindparams(bindparam("ids", type_=ARRAY(String)), bindparam("xids", type_=ARRAY(String)))
_FORGET = text("DELETE FROM coherence_acks WHERE invalidation_id = ANY(:ids)").bindparams(
    bindparam("ids", type_=ARRAY(String))
)


_NOTIFY = text("SELECT pg_notify(:channel, :payload), pg_current_xact_id()::text AS xid")


async def notify(session: AsyncSession, payload: str) -> str:
    """Queue a notification in the writing transaction (PostgreSQL delivers it at commit);
    the transaction's id, to tell which leases were registered before it committed."""
    result = await session.execute(_NOTIFY, {"channel": CHANNEL, "payload": payload})
    xid: str = result.one().xid
    return xid


async def clock(listener: asyncpg.Connection) -> datetime:
    at: datetime = await listener.fetchval(_CLOCK)
    return at


async def register(
    listener: asyncpg.Connection, me: str, seconds: float, process: str, apply_by: datetime
) -> datetime | None:
    """The database time ``me`` was registered at, or None if it was too late to."""
    at: datetime | None = await listener.fetchval(_REGISTER, me, seconds, process, apply_by)
    return at


async def renew(
    listener: asyncpg.Connection, me: str, seconds: float, apply_by: datetime
) -> datetime | None:
    """The database time ``me``'s lease was extended at, or None if it was not."""
    at: datetime | None = await listener.fetchval(_RENEW, me, seconds, apply_by)
    return at


async def acknowledge(listener: asyncpg.Connection, me: str, ids: list[str]) -> None:
    await listener.execute(_ACK, ids, me)


async def release(connection: AsyncConnection, me: str) -> None:
    """An incarnation that stopped or was abandoned ends its lease: writers need not wait for
    it to lapse."""
    await connection.execute(_RELEASE, {"me": me})
    await connection.commit()


async def unacknowledged(
    connection: AsyncConnection, ids: list[str], xids: list[str], me: str | None
) -> int:
    """How many (process, invalidation) pairs still hold up the writer."""
    result = await connection.execute(_UNACKNOWLEDGED, {"ids": ids, "xids": xids, "me": me})
    return int(result.scalar_one())


async def forget(connection: AsyncConnection, ids: list[str]) -> None:
    await connection.execute(_FORGET, {"ids": ids})
