"""Publishing an invalidation: in the writing transaction, applied at its commit, and waited
for before the writer answers (docs/coherence.md).

``publish(session, *tags)`` is the one call every change that ends or narrows access makes:

1. in the transaction, ``pg_notify`` (PostgreSQL delivers it at commit, only if it commits);
2. at the commit (SQLAlchemy's ``after_commit``, synchronous), this process drops what the
   tags name from its own cache — on SQLite, one process, that is all there is to do;
3. after the commit and before the response (``acknowledged``, called by the unit of work),
   the writer waits until every other process holding a live lease registered before the
   writing transaction committed has acknowledged each invalidation, or its lease has lapsed
   by the database clock; bounded by one lease plus a margin.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from tsp_auth.coherence import repository
from tsp_auth.coherence.lru import EVERYTHING
from tsp_auth.coherence.metrics import ACK_WAIT
from tsp_auth.coherence.process import Coherence, coherence_of, of_bind

log = logging.getLogger(__name__)
_PENDING = "tsp_auth.coherence.pending"
_COMMITTED = "tsp_auth.coherence.committed"
# PostgreSQL refuses payloads of 8000 bytes or more; past this, drop everything instead.
MAX_PAYLOAD = 7000
_FIRST_PAUSE, _LONGEST_PAUSE = 0.001, 0.02


@dataclass
class _Pending:
    tags: set[str] = field(default_factory=set)
    ids: list[str] = field(default_factory=list)
    xid: str = ""  # the writing transaction's id (pg_current_xact_id), once it notified


@dataclass
class _Committed:
    """Invalidations committed in this session, each with its transaction's id."""

    ids: list[str] = field(default_factory=list)
    xids: list[str] = field(default_factory=list)


async def publish(session: AsyncSession, *tags: str) -> None:
    """What ``tags`` name ends or narrows with this transaction: no process may serve it from
    its cache once the request that commits it has answered."""
    if not tags:
        return
    pending: _Pending = session.info.setdefault(_PENDING, _Pending())
    pending.tags.update(tags)
    if session.get_bind().dialect.name != "postgresql":
        return
    invalidation_id = secrets.token_hex(12)
    payload = json.dumps({"i": invalidation_id, "t": list(tags)}, separators=(",", ":"))
    if len(payload.encode()) > MAX_PAYLOAD:
        payload = json.dumps({"i": invalidation_id, "t": [EVERYTHING]})
    pending.ids.append(invalidation_id)
    pending.xid = await repository.notify(session, payload)


@event.listens_for(Session, "after_commit")
def _applied_at_commit(session: Session) -> None:
    pending: _Pending | None = session.info.pop(_PENDING, None)
    if pending is None:
        return
    coherence = of_bind(session.get_bind())
    if coherence is not None:
        coherence.cache.invalidate(pending.tags)
    if pending.ids:
        committed: _Committed = session.info.setdefault(_COMMITTED, _Committed())
        committed.ids += pending.ids
        committed.xids += [pending.xid] * len(pending.ids)


@event.listens_for(Session, "after_soft_rollback")
def _forgotten_at_rollback(session: Session, previous: SessionTransaction) -> None:
    # A savepoint's rollback keeps the outer transaction's invalidations.
    if previous.parent is None and not previous.nested:
        session.info.pop(_PENDING, None)


async def acknowledged(session: AsyncSession) -> None:
    """After the commit, before the answer: every other live process dropped what it named."""
    committed: _Committed | None = session.info.pop(_COMMITTED, None)
    coherence = coherence_of(session)
    if not committed or coherence is None or not isinstance(session.bind, AsyncEngine):
        return
    with ACK_WAIT.time():
        await wait_for_acks(session.bind, coherence, committed.ids, committed.xids)


async def wait_for_acks(
    engine: AsyncEngine, coherence: Coherence, ids: list[str], xids: list[str]
) -> None:
    """Until each invalidation (``ids[k]``, committed by transaction ``xids[k]``) is
    acknowledged by every other live lease registered before that transaction committed."""
    deadline = time.monotonic() + coherence.lease.writer_bound
    pause = _FIRST_PAUSE
    async with engine.connect() as pooled:
        # Autocommit: one round trip per poll (no BEGIN/ROLLBACK), and each sees new acks.
        connection = await pooled.execution_options(isolation_level="AUTOCOMMIT")
        while True:
            missing = await repository.unacknowledged(connection, ids, xids, coherence.incarnation)
            if missing == 0:
                break
            if time.monotonic() + pause > deadline:
                # Only a process that renews its lease yet never acknowledges gets here.
                log.error(
                    "invalidation %s: %d acknowledgements missing past the bound", ids, missing
                )
                break
            await asyncio.sleep(pause)
            pause = min(pause * 2, _LONGEST_PAUSE)
        await repository.forget(connection, ids)
