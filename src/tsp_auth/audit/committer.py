"""Group commit: rows of concurrent requests written by one flusher, one statement per batch.

Each caller enqueues its row and waits; one flusher task takes everything queued (up to
``max_batch``), writes it with one call of ``write`` (one multi-row INSERT, atomic), then
answers every waiter of that batch. So:

- no caller is answered before its row is committed (its future resolves after ``write``
  returned);
- a batch that fails fails every caller in it with the same exception (they answer 503 or
  400 as a lone write would), and nothing of it was written: it was one statement;
- under load the batches grow by themselves: while one is being written, the next fills up.
  A lone caller waits for no timer, only for its own write.

Single-threaded asyncio makes the bookkeeping safe without locks: a flusher that finds the
queue empty returns in the same step, so a caller either appends before that check (and is
flushed) or finds the task done and starts a new one.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

from tsp_auth.db.per_app import PerApp, Sessions, alive_of

MAX_BATCH = 200  # bounds one statement: 13 columns x 200 rows stay far below any bind limit

T = TypeVar("T")
Write = Callable[[Sessions, Sequence[T]], Awaitable[None]]
# Every app's group committers, so that shutdown drains them all (``drain``): the lone
# events' (audit/service.py) and the login tokens' (tsp_access/login_token_repository.py).
_ALL: list[PerApp[GroupCommitter[Any]]] = []


class Committers(Generic[T]):
    """One group committer per app (``db.per_app``), writing with ``write(sessionmaker,
    rows)``, made on first use and drained at the app's shutdown."""

    def __init__(self, write: Write[T], *, name: str) -> None:
        self._write = write
        self._name = name
        self.made: PerApp[GroupCommitter[T]] = PerApp()
        _ALL.append(self.made)

    def of(self, sessionmaker: Sessions) -> GroupCommitter[T]:
        found = self.made.found(sessionmaker)
        if found is not None:
            return found
        alive, write = alive_of(sessionmaker), self._write

        async def write_batch(rows: Sequence[T]) -> None:
            await write(alive(), rows)

        return self.made.keep(sessionmaker, GroupCommitter(write_batch, name=self._name))


def committers(write: Write[T], *, name: str = "audit-group-commit") -> Committers[T]:
    """The group committers of ``write``, one per app."""
    return Committers(write, name=name)


async def drain(sessionmaker: Sessions) -> None:
    """Shutdown: wait until everything queued in ``sessionmaker``'s committers is written."""
    for each in _ALL:
        committer = each.made_for(sessionmaker)
        if committer is not None:
            await committer.close()


class GroupCommitter(Generic[T]):
    """Batches ``submit`` calls into ``write`` calls; ``close`` drains what is queued."""

    def __init__(
        self,
        write: Callable[[Sequence[T]], Awaitable[None]],
        *,
        max_batch: int = MAX_BATCH,
        name: str = "audit-group-commit",
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._write = write
        self._name = name  # the flusher task's
        self._max_batch = max_batch
        self._queue: deque[tuple[T, asyncio.Future[None]]] = deque()
        self._flusher: asyncio.Task[None] | None = None
        self.batches = 0  # how many writes were made (observability and tests)

    @property
    def queued(self) -> int:
        """Rows waiting for a batch (not counting the one being written)."""
        return len(self._queue)

    async def submit(self, item: T) -> None:
        """Return once ``item`` is committed; raise what its batch's write raised."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._run(), name=self._name)
        # A caller that goes away (client disconnect) cancels only its own future: its row
        # stays queued and is written with the others.
        await future

    async def close(self) -> None:
        """Wait until everything queued so far is written (shutdown)."""
        while self._flusher is not None and not self._flusher.done():
            await asyncio.shield(self._flusher)

    async def _run(self) -> None:
        while self._queue:
            size = min(len(self._queue), self._max_batch)
            await self._flush([self._queue.popleft() for _ in range(size)])

    async def _flush(self, batch: list[tuple[T, asyncio.Future[None]]]) -> None:
        self.batches += 1
        try:
            await self._write([item for item, _ in batch])
        except asyncio.CancelledError:
            for _, future in batch:
                future.cancel()
            raise
        except Exception as exc:  # every waiter of the batch answers with it
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for _, future in batch:
            if not future.done():
                future.set_result(None)
