"""Reads answered from the process's cache when it may serve, else from the database, with
concurrent misses coalesced into batches (``coherence/batch.py``). The modules of this package
say what to read; this one says when.

A read is three steps its module takes in turn, each a call down (docs/architecture.md, "The
call path of a decision"): ``look_up`` asks the cache, ``load_batched`` joins the batch of
the key's statement (a ``db.batched.BatchQuery``) and ``keep`` caches what was built from the
row. ``read_through`` strings them together for the reads whose batch is a function of their
own (several rows per key, or a key that is several columns).

Each entry carries the tags of what can end it (``coherence/tags.py``). A load reads the cache's
epoch before going to the database and inserts only if no invalidation applied meanwhile named
one of its tags (``coherence/lru.py``). Without a ``Coherence`` (an app whose lifespan did not
run: the worker, the CLI, most tests) the caller reads the database directly.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any, Generic, TypeVar

from tsp_auth.coherence.batch import Batcher
from tsp_auth.coherence.metrics import CACHE_READS
from tsp_auth.coherence.process import Coherence, coherence_of
from tsp_auth.db.batched import BatchQuery, Sessions

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
Row = TypeVar("Row")
LoadOne = Callable[[Sessions, K], Awaitable[V | None]]
LoadMany = Callable[[Sessions, Sequence[K]], Awaitable[dict[K, V]]]


@dataclass(slots=True)
class Lookup(Generic[V]):
    """What the cache said of one key: a ``hit``, or where to read it (``coherence`` None: the
    database, directly) and, while the cache serves, the epoch to ``keep`` what is read at."""

    kind: str
    key: Hashable
    coherence: Coherence | None = None
    hit: V | None = None
    epoch: int | None = None


def look_up(sessionmaker: Sessions, kind: str, key: Hashable) -> Lookup[Any]:
    """The cache's answer for ``key`` of ``kind``, counted (hit, miss, or database while the
    process may not serve from its cache)."""
    coherence = coherence_of(sessionmaker)
    if coherence is None:
        return Lookup(kind, key)
    if not coherence.serving():
        _count(kind, "database")()
        return Lookup(kind, key, coherence)
    cache = coherence.cache
    hit = cache.get((kind, key))
    if hit is not None:
        _count(kind, "hit")()
        return Lookup(kind, key, coherence, hit)
    _count(kind, "miss")()
    return Lookup(kind, key, coherence, epoch=cache.epoch)


async def load_batched(
    sessionmaker: Sessions, found: Lookup[Any], query: BatchQuery[Row]
) -> Row | None:
    """The row of ``found.key``, read with the other misses of its kind gathered meanwhile:
    the batcher calls the statement itself, nothing of the caller's."""
    batcher = _batcher(found, sessionmaker, partial(query.keyed, sessionmaker))
    row: Row | None = await batcher.load(found.key)
    return row


def keep(found: Lookup[V], value: V, tags: Sequence[str]) -> None:
    """Cache ``value`` as read for ``found``, unless the cache did not serve when it was
    looked up or an invalidation of one of ``tags`` applied since (``coherence/lru.py``)."""
    if found.coherence is not None and found.epoch is not None:
        found.coherence.cache.put((found.kind, found.key), value, tags, found.epoch)


async def read_through(
    sessionmaker: Sessions,
    kind: str,
    key: K,
    load_one: LoadOne[K, V],
    load_many: LoadMany[K, V],
    tags_of: Callable[[V], Sequence[str]],
) -> V | None:
    """``key``'s value of ``kind`` where a batch is a function of the caller's (``load_many``):
    from the cache while the process may serve from it, else from the database."""
    found: Lookup[V] = look_up(sessionmaker, kind, key)
    if found.hit is not None:
        return found.hit
    if found.coherence is None:
        return await load_one(sessionmaker, key)
    value: V | None = await _batcher(found, sessionmaker, partial(load_many, sessionmaker)).load(
        key
    )
    if value is not None:
        keep(found, value, tags_of(value))
    return value


def _batcher(
    found: Lookup[Any], sessionmaker: Sessions, load: Callable[[Sequence[Any]], Awaitable[Any]]
) -> Batcher[Any, Any]:
    assert found.coherence is not None
    batchers = found.coherence.batchers
    batcher: Batcher[Any, Any] | None = batchers.get((found.kind, id(sessionmaker)))
    if batcher is None:  # the first miss of this kind for this sessionmaker
        batcher = batchers[found.kind, id(sessionmaker)] = Batcher(load)
    return batcher


@lru_cache(maxsize=16)
def _count(kind: str, outcome: str) -> Callable[[], None]:
    """The counter of one kind and outcome, looked up once."""
    return CACHE_READS.labels(kind=kind, outcome=outcome).inc
