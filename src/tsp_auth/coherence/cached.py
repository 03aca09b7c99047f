"""Reads answered from the process's cache when it may serve, else from the database, with
concurrent misses coalesced into batches (``batch.py``). The domains say what to read
(``tsp_access.cached``, ``clients.cached``, ``oauth.cached``); this module says when.

Each entry carries the tags of what can end it (``tags.py``). A load reads the cache's epoch
before going to the database and inserts only if no invalidation applied meanwhile named one
of its tags (``lru.py``). Without a ``Coherence`` (an app whose lifespan did not run: the
worker, the CLI, most tests) the caller reads the database directly.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from functools import lru_cache
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.coherence.batch import Batcher
from tsp_auth.coherence.metrics import CACHE_READS
from tsp_auth.coherence.process import Coherence

Sessions = async_sessionmaker[AsyncSession]
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
LoadMany = Callable[[Sessions, Sequence[K]], Awaitable[dict[K, V]]]


def _batcher(
    coherence: Coherence, kind: str, sessionmaker: Sessions, load_many: LoadMany[K, V]
) -> Batcher[K, V]:
    key = (kind, id(sessionmaker))
    found: Batcher[K, V] | None = coherence.batchers.get(key)
    if found is None:

        async def load(keys: Sequence[K]) -> dict[K, V]:
            return await load_many(sessionmaker, keys)

        found = coherence.batchers[key] = Batcher(load)
    return found


async def read_through(
    coherence: Coherence,
    sessionmaker: Sessions,
    kind: str,
    key: K,
    load_many: LoadMany[K, V],
    tags_of: Callable[[V], Sequence[str]],
) -> V | None:
    """``key``'s value of ``kind``: from the cache while the process may serve from it."""
    batcher = _batcher(coherence, kind, sessionmaker, load_many)
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
