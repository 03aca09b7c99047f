"""Reads answered from the process's cache when it may serve, else from the database, with
concurrent misses coalesced into batches (``coherence/batch.py``). The modules of this package
say what to read; this one says when.

Each entry carries the tags of what can end it (``coherence/tags.py``). A load reads the cache's
epoch before going to the database and inserts only if no invalidation applied meanwhile named
one of its tags (``coherence/lru.py``). Without a ``Coherence`` (an app whose lifespan did not
run: the worker, the CLI, most tests) the caller reads the database directly.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from functools import lru_cache
from typing import TypeVar

from tsp_auth.coherence.batch import Batcher
from tsp_auth.coherence.metrics import CACHE_READS
from tsp_auth.coherence.process import coherence_of
from tsp_auth.db.batched import Sessions

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
LoadOne = Callable[[Sessions, K], Awaitable[V | None]]
LoadMany = Callable[[Sessions, Sequence[K]], Awaitable[dict[K, V]]]


async def read_through(
    sessionmaker: Sessions,
    kind: str,
    key: K,
    load_one: LoadOne[K, V],
    load_many: LoadMany[K, V],
    tags_of: Callable[[V], Sequence[str]],
) -> V | None:
    """``key``'s value of ``kind``: from the cache while the process may serve from it, else
    from the database (``load_one`` where the process has no cache, batched where it has)."""
    coherence = coherence_of(sessionmaker)
    if coherence is None:
        return await load_one(sessionmaker, key)
    batcher: Batcher[K, V] | None = coherence.batchers.get((kind, id(sessionmaker)))
    if batcher is None:  # the first miss of this kind for this sessionmaker

        async def load(keys: Sequence[K]) -> dict[K, V]:
            return await load_many(sessionmaker, keys)

        batcher = coherence.batchers[kind, id(sessionmaker)] = Batcher(load)
    if not coherence.serving():
        _count(kind, "database")()
        return await batcher.load(key)
    cache = coherence.cache
    hit: V | None = cache.get((kind, key))
    if hit is not None:
        _count(kind, "hit")()
        return hit
    _count(kind, "miss")()
    epoch = cache.epoch
    value = await batcher.load(key)
    if value is not None:
        cache.put((kind, key), value, tags_of(value), epoch)
    return value


@lru_cache(maxsize=16)
def _count(kind: str, outcome: str) -> Callable[[], None]:
    """The counter of one kind and outcome, looked up once."""
    return CACHE_READS.labels(kind=kind, outcome=outcome).inc
