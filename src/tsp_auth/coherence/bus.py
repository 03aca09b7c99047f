"""The listener: one asyncpg connection per process for LISTEN, its lease and its acks.

One connection for all three, on purpose: a process whose connection is cut can neither hear
invalidations nor renew its lease, so writers stop waiting for it when its lease lapses, by
when it has stopped serving from its cache (``lease.py``). Its own connection, not a pooled
one: LISTEN belongs to a session, and ``coherence_listen_url`` may route it differently.

An invalidation is applied the moment it arrives (in asyncpg's callback, on the event loop,
before anything else can read the cache) and acknowledged after.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from tsp_auth.coherence import repository
from tsp_auth.coherence.process import Coherence
from tsp_auth.config import Settings

log = logging.getLogger(__name__)
RECONNECT_SECONDS = 0.2
LONGEST_RECONNECT_SECONDS = 5.0


def listen_dsn(settings: Settings) -> str:
    """asyncpg's own DSN for the listener (no SQLAlchemy driver suffix)."""
    url = make_url(settings.coherence_listen_url or settings.database_url)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class Listener:
    def __init__(self, coherence: Coherence, settings: Settings) -> None:
        self._coherence = coherence
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
            # Quickly after a lease was held, then less and less often while it cannot be.
            pause = RECONNECT_SECONDS if self._held else min(pause * 2, LONGEST_RECONNECT_SECONDS)
            self._held = False
            await asyncio.sleep(pause)

    async def _listen(self) -> None:
        async with asyncio.timeout(self._timeout * 2):
            connection: asyncpg.Connection = await asyncpg.connect(self._dsn, timeout=self._timeout)
        self._connection = connection
        connection.add_termination_listener(self._terminated)
        async with asyncio.timeout(self._timeout):
            await connection.add_listener(repository.CHANNEL, self._heard)
        previous = self._coherence.incarnation or ""
        me = self._coherence.new_incarnation()
        renew_at = await self._renew(connection, me, previous)
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation
        # that races its inner wait (gh-86296), and the listener would never stop.
        while not self._stopping:
            wait = renew_at - time.monotonic()
            if wait <= 0:
                renew_at = await self._renew(connection, me, me)
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._ack_due.wait()
            if connection.is_closed():
                raise ConnectionError("the listener's connection closed")
            await self._send_acks(connection, me)

    async def _renew(self, connection: asyncpg.Connection, me: str, previous: str) -> float:
        lease = self._coherence.lease
        sent = time.monotonic()
        async with asyncio.timeout(self._timeout):
            await repository.renew(connection, me, lease.seconds, previous)
        lease.renewed(sent)
        self._held = True
        return sent + lease.renew_every

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
