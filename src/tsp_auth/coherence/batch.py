"""Concurrent misses coalesced: one round trip per batch of keys.

A request that misses joins the batch being gathered, never one already sent: a batch sent
before the request arrived might have read the database before a change the request must see
(the caller may have been told of that change already). So each request waits for a batch
sent after it arrived: at most the one in flight, then its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

LoadMany = Callable[[Sequence[K]], Awaitable[dict[K, V]]]


class Batcher(Generic[K, V]):
    """Loads keys in batches of at most ``max_batch``, one batch at a time."""

    def __init__(self, load_many: LoadMany[K, V], max_batch: int = 500) -> None:
        self._load_many = load_many
        self._max_batch = max_batch
        self._gathering: dict[K, asyncio.Future[V | None]] = {}
        self._sender: asyncio.Task[None] | None = None

    async def load(self, key: K) -> V | None:
        future = self._gathering.get(key)
        if future is None:
            future = self._gathering[key] = asyncio.get_running_loop().create_future()
        if self._sender is None:
            self._sender = asyncio.create_task(self._send())
        # Shielded: a cancelled request must not cancel the answer others wait for.
        return await asyncio.shield(future)

    async def _send(self) -> None:
        try:
            while self._gathering:
                batch = dict(list(self._gathering.items())[: self._max_batch])
                for key in batch:
                    del self._gathering[key]
                await self._answer(batch)
        finally:
            self._sender = None

    async def _answer(self, batch: dict[K, asyncio.Future[V | None]]) -> None:
        try:
            found = await self._load_many(list(batch))
        except Exception as exc:  # every waiter gets the error its own query would have raised
            for future in batch.values():
                if not future.done():
                    future.set_exception(exc)
                    future.exception()  # retrieved here: a waiter may have been cancelled
            return
        for key, future in batch.items():
            if not future.done():
                future.set_result(found.get(key))
