"""Live console sessions from the process's cache (decisions, introspection; docs/coherence.md).

An entry is tagged by the session, its grant and the grant's service: whatever ends or
narrows one of them (logout, replacement, assignment removed, any grant change, the service
made invalid) drops it on every process before that change is answered.
"""

from __future__ import annotations

from collections.abc import Sequence

from tsp_auth.coherence import tags
from tsp_auth.coherence.cached import Sessions, read_through
from tsp_auth.coherence.process import coherence_of
from tsp_auth.tsp_access import repository
from tsp_auth.tsp_access.repository import LiveSession


async def live_session(sessionmaker: Sessions, token_hash: str) -> LiveSession | None:
    """``repository.live_session``, from the cache while this process may serve from it."""
    coherence = coherence_of(sessionmaker)
    if coherence is None:
        return await repository.live_session(sessionmaker, token_hash)
    found = await read_through(
        coherence, sessionmaker, "session", token_hash, repository.live_sessions, _tags
    )
    return None if found is None else found[0]


def _tags(found: tuple[LiveSession, str | None]) -> Sequence[str]:
    console, service_id = found
    return tags.of_session(console.id, console.grant_id, service_id)
