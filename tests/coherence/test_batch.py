"""Coalesced misses: one load per batch, and never a batch sent before the request arrived."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from tsp_auth.coherence.batch import Batcher


class Recorder:
    """A loader that answers ``key * 2`` and records each batch it was sent."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.release = asyncio.Event()

    async def load_many(self, keys: Sequence[int]) -> dict[int, int]:
        self.batches.append(list(keys))
        await self.release.wait()
        return {key: key * 2 for key in keys if key >= 0}


async def test_concurrent_misses_are_one_batch() -> None:
    recorder = Recorder()
    batcher = Batcher(recorder.load_many)
    recorder.release.set()
    answers = await asyncio.gather(*(batcher.load(key) for key in (1, 2, 2, 3, -1)))
    assert answers == [2, 4, 4, 6, None]
    assert recorder.batches == [[1, 2, 3, -1]]


async def test_a_request_arriving_during_a_batch_waits_for_the_next() -> None:
    recorder = Recorder()
    batcher = Batcher(recorder.load_many)
    first = asyncio.ensure_future(batcher.load(1))
    await asyncio.sleep(0)  # the first batch is sent and waits on the database
    second = asyncio.ensure_future(batcher.load(1))
    await asyncio.sleep(0)
    assert recorder.batches == [[1]]
    recorder.release.set()
    assert (await first, await second) == (2, 2)
    assert recorder.batches == [[1], [1]]  # the same key, read again after it arrived


async def test_an_error_reaches_every_waiter_of_the_batch() -> None:
    async def failing(keys: Sequence[int]) -> dict[int, int]:
        raise ConnectionError("database gone")

    batcher: Batcher[int, int] = Batcher(failing)
    results = await asyncio.gather(batcher.load(1), batcher.load(2), return_exceptions=True)
    assert all(isinstance(result, ConnectionError) for result in results)
    with pytest.raises(ConnectionError):
        await batcher.load(3)  # and the next batch is sent as usual
