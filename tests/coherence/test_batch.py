"""Coalesced misses: one load per batch, and never a batch sent before the request arrived.

Every test runs under a bound (``bounded``): a batch never sent fails the test, not hangs it."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from tsp_auth.coherence.batch import Batcher

# Runs in milliseconds; a mutant that hangs it (a batch never sent, an eviction that never
# ends) fails it at once rather than at the run's timeout.
pytestmark = pytest.mark.timeout(10)


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


async def test_more_keys_than_a_batch_holds_go_in_several_batches_one_at_a_time() -> None:
    recorder = Recorder()
    batcher = Batcher(recorder.load_many, max_batch=2)
    recorder.release.set()
    answers = await asyncio.gather(*(batcher.load(key) for key in (1, 2, 3, 4, 5)))
    assert answers == [2, 4, 6, 8, 10]
    assert recorder.batches == [[1, 2], [3, 4], [5]]


async def test_a_cancelled_request_does_not_cancel_the_answer_others_wait_for() -> None:
    recorder = Recorder()
    batcher = Batcher(recorder.load_many)
    gone = asyncio.ensure_future(batcher.load(1))
    waiting = asyncio.ensure_future(batcher.load(1))
    await asyncio.sleep(0)
    gone.cancel()
    await asyncio.sleep(0)
    recorder.release.set()
    assert await waiting == 2
    assert gone.cancelled()


async def test_a_batch_failing_after_its_waiters_left_does_not_hold_up_the_next() -> None:
    release = asyncio.Event()

    async def failing(keys: Sequence[int]) -> dict[int, int]:
        await release.wait()
        raise ConnectionError("database gone")

    batcher: Batcher[int, int] = Batcher(failing)
    gone = asyncio.ensure_future(batcher.load(1))
    await asyncio.sleep(0)
    gone.cancel()
    release.set()
    with pytest.raises(ConnectionError):
        await batcher.load(2)  # the batch after: sent once the failed one is answered


async def test_a_batch_holds_500_keys_unless_told_otherwise() -> None:
    recorder = Recorder()
    batcher = Batcher(recorder.load_many)
    recorder.release.set()
    await asyncio.gather(*(batcher.load(key) for key in range(501)))
    assert [len(batch) for batch in recorder.batches] == [500, 1]
