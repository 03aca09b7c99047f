"""Clients and their credentials from the process's cache (client authentication on the
token, introspection and revocation endpoints; docs/coherence.md).

An entry is tagged by its client: an update (disabled, scopes, redirect URIs) or a rotated
secret drops it on every process before that change is answered.
"""

from __future__ import annotations

from tsp_auth.clients import repository
from tsp_auth.clients.repository import ClientCredentials
from tsp_auth.coherence import tags
from tsp_auth.coherence.cached import Sessions, read_through
from tsp_auth.coherence.process import coherence_of


async def credentials(sessionmaker: Sessions, client_id: str) -> ClientCredentials | None:
    """``repository.credentials``, from the cache while this process may serve from it."""
    coherence = coherence_of(sessionmaker)
    if coherence is None:
        return await repository.credentials(sessionmaker, client_id)
    return await read_through(
        coherence,
        sessionmaker,
        "client",
        client_id,
        repository.credentials_of,
        lambda row: (tags.client(row.id),),
    )
