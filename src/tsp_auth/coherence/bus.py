"""The listener: one asyncpg connection per process for LISTEN, its lease and its acks.

One connection for all three, on purpose: a process whose connection is cut can neither hear
invalidations nor renew its lease, so writers stop waiting for it when its lease lapses, by
when it has stopped serving from its cache (``lease.py``). Its own connection, not a pooled
one: LISTEN belongs to a session, and ``coherence_listen_url`` may route it differently.

An invalidation is applied the moment it arrives (in asyncpg's callback, on the event loop,
before anything else can read the cache) and acknowledged after.

The lease is extended only when the database says so (the statement returns its ``now()``);
a statement the process gave up on cannot take effect later (``lease.DatabaseClock``), and an
incarnation given up on is retired at once through another connection (``retire``), so no
writer waits for a lease whose holder has moved on.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from tsp_auth.coherence import repository
from tsp_auth.coherence.lease import DatabaseClock
from tsp_auth.coherence.process import Coherence
from tsp_auth.config import Settings

log = logging.getLogger(__name__)
RECONNECT_SECONDS = 0.2
LONGEST_RECONNECT_SECONDS = 5.0
Retire = Callable[[str], Awaitable[None]]


class LeaseNotExtended(Exception):
    """The database did not extend the lease: retired, lapsed, or the statement came too late."""


def listen_dsn(settings: Settings) -> str:
    """asyncpg's own DSN for the listener (no SQLAlchemy driver suffix)."""
    url = make_url(settings.coherence_listen_url or settings.database_url)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class Listener:
    def __init__(
        self, coherence: Coherence, settings: Settings, retire: Retire | None = None
    ) -> None:
        self._coherence = coherence
        self._retire = retire
        self._tried: str | None = None  # the incarnation registered (or tried) on this connection
        self._dsn = listen_dsn(settings)
        self._timeout = coherence.lease.renew_every
        self._acks: list[str] = []
        self._ack_due = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._connection: asyncpg.Connection | None = None
        self._held = False  # a lease was granted on the current connection
        self._stopping = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """End the listener, bounded: a shutdown must never hang on it (the lease it held
        lapses by itself, and writers wait for that at most one lease)."""
        self._stopping = True
        self._ack_due.set()  # wakes the loop, which sees it is stopping
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                async with asyncio.timeout(self._timeout):
                    await self._task
        self._close()

    async def _run(self) -> None:
        pause = RECONNECT_SECONDS
        while not self._stopping:
            try:
                await self._listen()
            except Exception as exc:  # whatever it was, reconnect: the process must not stay
                # without a listener (its reads go to the database meanwhile).
                log.warning("coherence listener lost (reads go to the database): %r", exc)
            finally:
                self._coherence.listener_lost()
                self._close()
            await self._abandon()
            # Quickly after a lease was held, then less and less often while it cannot be.
            pause = RECONNECT_SECONDS if self._held else min(pause * 2, LONGEST_RECONNECT_SECONDS)
            self._held = False
            await asyncio.sleep(pause)

    async def _abandon(self) -> None:
        """Retire the incarnation just given up on now, not when its lease lapses (by another
        connection: this one may be the one that is cut). Its cache was cleared first."""
        me, self._tried = self._tried, None
        if me is None or self._retire is None:
            return
        try:
            await self._retire(me)
        except Exception as exc:  # the listener must go on: the lease lapses by itself anyway
            log.warning("coherence lease %s not retired: %r", me, exc)

    async def _listen(self) -> None:
        async with asyncio.timeout(self._timeout * 2):
            connection: asyncpg.Connection = await asyncpg.connect(self._dsn, timeout=self._timeout)
        self._connection = connection
        connection.add_termination_listener(self._terminated)
        async with asyncio.timeout(self._timeout):
            await connection.add_listener(repository.CHANNEL, self._heard)
            clock = DatabaseClock(await repository.clock(connection), time.monotonic())
        me = self._tried = self._coherence.new_incarnation()
        clock, renew_at = await self._extend(connection, me, clock, first=True)
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation
        # that races its inner wait (gh-86296), and the listener would never stop.
        while not self._stopping:
            wait = renew_at - time.monotonic()
            if wait <= 0:
                clock, renew_at = await self._extend(connection, me, clock, first=False)
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._ack_due.wait()
            if connection.is_closed():
                raise ConnectionError("the listener's connection closed")
            await self._send_acks(connection, me)

    async def _extend(
        self, connection: asyncpg.Connection, me: str, clock: DatabaseClock, *, first: bool
    ) -> tuple[DatabaseClock, float]:
        """Register or renew; the next clock reading and when to renew next. Raises unless the
        database answered that the lease now runs from this statement."""
        lease = self._coherence.lease
        sent = time.monotonic()
        give_up = sent + self._timeout
        apply_by = clock.apply_by(give_up, lease.drift)
        try:
            async with asyncio.timeout(self._timeout):
                if first:
                    process = self._coherence.process
                    at = await repository.register(connection, me, lease.seconds, process, apply_by)
                else:
                    at = await repository.renew(connection, me, lease.seconds, apply_by)
        except TimeoutError:
            # Given up no earlier than ``give_up``, whatever the loop's timer resolution:
            # ``apply_by`` counts on it.
            await asyncio.sleep(max(0.0, give_up - time.monotonic()))
            raise
        if at is None:
            raise LeaseNotExtended(me)
        lease.renewed(sent)
        self._held = True
        return DatabaseClock(at, time.monotonic()), sent + lease.renew_every

    async def _send_acks(self, connection: asyncpg.Connection, me: str) -> None:
        self._ack_due.clear()
        ids, self._acks = self._acks, []
        if ids:
            async with asyncio.timeout(self._timeout):
                await repository.acknowledge(connection, me, ids)

    def _heard(self, connection: Any, pid: int, channel: str, payload: str) -> None:
        try:
            message = json.loads(payload)
            tags, invalidation_id = list(message["t"]), str(message["i"])
        except (ValueError, KeyError, TypeError):
            self._coherence.cache.clear()  # unreadable: drop everything rather than guess
            return
        self._coherence.cache.invalidate(tags)
        self._acks.append(invalidation_id)
        self._ack_due.set()

    def _terminated(self, connection: Any) -> None:
        self._coherence.listener_lost()  # at once, not at the next renewal
        self._ack_due.set()  # wakes the loop, which sees the connection closed

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            connection.terminate()
