"""Clients and their credentials as client authentication reads them (the token,
introspection and revocation endpoints; docs/coherence.md).

A cache entry is tagged by its client: an update (disabled, scopes, redirect URIs) or a rotated
secret drops it on every process before that change is answered.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select

from tsp_auth.coherence import tags
from tsp_auth.db.batched import BatchQuery, Sessions
from tsp_auth.db.direct import DirectQuery, SessionSource
from tsp_auth.live.read_through import keep, load_batched, look_up
from tsp_auth.models import Client


async def credentials(sessionmaker: Sessions, client_id: str) -> ClientCredentials | None:
    """The client ``client_id`` with its secret's hash as it is now, or None: from the
    process's cache while it may serve from it, else from the database (each a call down)."""
    found = look_up(sessionmaker, "client", client_id)
    if found.hit is not None:
        cached: ClientCredentials = found.hit
        return cached
    if found.coherence is None:
        return await read_credentials(sessionmaker, client_id)
    client = await load_batched(sessionmaker, found, _CREDENTIALS_OF)
    if client is not None:
        keep(found, client, (tags.client(client.id),))
    return client


@dataclass(frozen=True, slots=True)
class ClientFacts:
    """A client as the OAuth endpoints use it once it has authenticated: no secret."""

    id: str
    partner_id: str | None
    service_id: str | None
    client_type: str
    redirect_uris: list[str]
    allowed_origins: list[str]
    scopes: frozenset[str]
    status: str
    # issue 23 (RFC 7591 names): None means the client type's default method.
    token_endpoint_auth_method: str | None
    dpop_bound_access_tokens: bool
    require_pushed_authorization_requests: bool
    profile: str | None


# Frozen, unlike most direct rows (db.direct): it is cached (``credentials``) and shared by
# every request that reads it; it is built only on a miss.
@dataclass(frozen=True, slots=True)
class ClientCredentials(ClientFacts):
    """A client as client authentication reads it: its facts, and the secret's hash to check."""

    secret_hash: str | None
    jwks: dict[str, object] | None  # private_key_jwt: the registered keys
    jwks_uri: str | None  # or where to fetch them


# Every token, introspection and revocation request reads its client: a direct read (no
# session).
_CREDENTIAL_COLUMNS = select(
    Client.id,
    Client.partner_id,
    Client.service_id,
    Client.client_type,
    Client.redirect_uris,
    Client.allowed_origins,
    Client.scopes,
    Client.status,
    Client.token_endpoint_auth_method,
    Client.dpop_bound_access_tokens,
    Client.require_pushed_authorization_requests,
    Client.profile,
    Client.secret_hash,
    Client.jwks,
    Client.jwks_uri,
)
_CREDENTIALS = DirectQuery(
    ClientCredentials, _CREDENTIAL_COLUMNS.where(Client.id == bindparam("client_id"))
)
_CREDENTIALS_OF = BatchQuery(ClientCredentials, _CREDENTIAL_COLUMNS, Client.id, key="id")


async def read_credentials(source: SessionSource, client_id: str) -> ClientCredentials | None:
    """The client ``client_id`` with its secret's hash, or None, from the database: given the
    sessionmaker, read directly (outside any unit of work)."""
    return await _CREDENTIALS.first(source, {"client_id": client_id})


async def a_public_client_allows(sessionmaker: Sessions, origin: str) -> bool:
    """Whether any enabled public client lists ``origin`` (CORS where no client is named).

    Reads the lists of every enabled public client: one query, linear in their number, and
    run only for requests that carry ``Origin`` on the discovery and preflight paths.
    """
    statement = select(Client.allowed_origins).where(
        Client.client_type == "public", Client.status != "disabled"
    )
    async with sessionmaker() as session:
        return any(origin in allowed for allowed in await session.scalars(statement))
