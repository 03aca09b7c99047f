"""SQL for clients. Functions take the request's session and only flush."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.db.batched import BatchQuery, Sessions
from tsp_auth.db.direct import DirectQuery, SessionSource
from tsp_auth.db.pages import keyset_page
from tsp_auth.models import Client
from tsp_auth.pagination import PageQuery


async def get(session: AsyncSession, client_id: str) -> Client | None:
    return await session.get(Client, client_id)


async def by_service(session: AsyncSession, service_id: str) -> Client | None:
    return await session.scalar(select(Client).where(Client.service_id == service_id))


async def listed(
    session: AsyncSession, partner_id: str | None, page: PageQuery
) -> tuple[Sequence[Client], str | None]:
    """Every client (operators, ``partner_id`` None) or one partner's apps, a page of them."""
    statement = select(Client)
    if partner_id is not None:
        statement = statement.where(Client.partner_id == partner_id)
    return await keyset_page(session, statement, (Client.created_at, Client.id), page)


async def a_public_client_allows(
    sessionmaker: async_sessionmaker[AsyncSession], origin: str
) -> bool:
    """Whether any enabled public client lists ``origin`` (CORS where no client is named).

    Reads the lists of every enabled public client: one query, linear in their number, and
    run only for requests that carry ``Origin`` on the discovery and preflight paths.
    """
    statement = select(Client.allowed_origins).where(
        Client.client_type == "public", Client.status != "disabled"
    )
    async with sessionmaker() as session:
        return any(origin in allowed for allowed in await session.scalars(statement))


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


# Frozen, unlike most direct rows (db.direct): it is cached (clients/cached.py) and shared by
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
_CREDENTIALS_OF = BatchQuery(ClientCredentials, _CREDENTIAL_COLUMNS, Client.id)


async def credentials(source: SessionSource, client_id: str) -> ClientCredentials | None:
    """The client ``client_id`` with its secret's hash, or None: given the sessionmaker, read
    directly (outside any unit of work)."""
    return await _CREDENTIALS.first(source, {"client_id": client_id})


async def credentials_of(
    sessionmaker: Sessions, client_ids: Sequence[str]
) -> dict[str, ClientCredentials]:
    """``credentials`` for a batch of clients, in one round trip (the cache's misses)."""
    return {row.id: row for row in await _CREDENTIALS_OF.all(sessionmaker, client_ids)}
