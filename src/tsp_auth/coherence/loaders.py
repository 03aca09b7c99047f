"""What the hot paths call: reads answered from the process's cache when it may serve, else
from the database, concurrent misses coalesced into batches (``batch.py``).

Each entry carries the tags of what can end it (``tags.py``). A load reads the cache's epoch
before going to the database and inserts only if no invalidation applied meanwhile named one
of its tags (``lru.py``).
Without a ``Coherence`` (an app whose lifespan did not run) each read is today's one-key
direct statement.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.coherence import queries, tags
from tsp_auth.coherence.batch import Batcher
from tsp_auth.coherence.metrics import CACHE_READS
from tsp_auth.coherence.process import Coherence, coherence_of
from tsp_auth.oauth import repository as oauth_repository
from tsp_auth.oauth.repository import AccessTokenState
from tsp_auth.tsp_access import repository as tsp_repository
from tsp_auth.tsp_access.repository import LiveSession

Sessions = async_sessionmaker[AsyncSession]
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _batcher(
    coherence: Coherence,
    kind: str,
    sessionmaker: Sessions,
    load_many: Callable[[Sessions, Sequence[K]], Awaitable[dict[K, V]]],
) -> Batcher[K, V]:
    key = (kind, id(sessionmaker))
    found: Batcher[K, V] | None = coherence.batchers.get(key)
    if found is None:

        async def load(keys: Sequence[K]) -> dict[K, V]:
            return await load_many(sessionmaker, keys)

        found = coherence.batchers[key] = Batcher(load)
    return found


async def _cached(
    coherence: Coherence,
    kind: str,
    key: K,
    batcher: Batcher[K, V],
    tags_of: Callable[[V], Sequence[str]],
) -> V | None:
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


async def live_session(sessionmaker: Sessions, token_hash: str) -> LiveSession | None:
    """``tsp_access.repository.live_session``, from the cache."""
    coherence = coherence_of(sessionmaker)
    if coherence is None:
        return await tsp_repository.live_session(sessionmaker, token_hash)
    batcher = _batcher(coherence, "session", sessionmaker, queries.live_sessions)
    found = await _cached(coherence, "session", token_hash, batcher, _session_tags)
    return None if found is None else found[0]


def _session_tags(found: tuple[LiveSession, str | None]) -> Sequence[str]:
    console, service_id = found
    return tags.of_session(console.id, console.grant_id, service_id)


async def client_row(sessionmaker: Sessions, client_id: str) -> dict[str, Any] | None:
    """A client's facts and secret hash (``clients.authentication``), as a fresh dict."""
    coherence = coherence_of(sessionmaker)
    if coherence is None:
        return (await queries.clients(sessionmaker, [client_id])).get(client_id)
    batcher = _batcher(coherence, "client", sessionmaker, queries.clients)
    row = await _cached(
        coherence, "client", client_id, batcher, lambda row: (tags.client(row["id"]),)
    )
    return None if row is None else dict(row)


async def access_token_state(
    sessionmaker: Sessions, *, jti: str, family_id: str | None, client_id: str
) -> AccessTokenState:
    """``oauth.repository.access_token_state``, from the cache."""
    coherence = coherence_of(sessionmaker)
    if coherence is None:
        return await oauth_repository.access_token_state(
            sessionmaker, jti=jti, family_id=family_id, client_id=client_id
        )
    batcher = _batcher(coherence, "token", sessionmaker, queries.token_states)
    key = (jti, family_id, client_id)
    state = await _cached(coherence, "token", key, batcher, lambda _: tags.of_token(*key))
    assert state is not None  # every key has a state
    return state
