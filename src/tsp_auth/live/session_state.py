"""Console sessions as decisions and introspection read them: with what their grant is now
(docs/coherence.md).

A cache entry is tagged by the session, its grant and the grant's service: whatever ends or
narrows one of them (logout, replacement, assignment removed, any grant change, the service
made invalid) drops it on every process before that change is answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select

from tsp_auth.coherence import tags
from tsp_auth.db.batched import BatchQuery, Sessions
from tsp_auth.db.direct import DirectQuery, SessionSource
from tsp_auth.live.read_through import keep, load_batched, look_up
from tsp_auth.models import ConsoleSession, Grant, Service
from tsp_auth.policy import GrantFacts, grant_facts


async def live_session(sessionmaker: Sessions, token_hash: str) -> LiveSession | None:
    """The console session with this token hash as it is now: from the process's cache while
    it may serve from it, else from the database (the decision API's hot path). Each step is
    a call down: the cache, the batch of misses (or one direct statement), the policy's facts."""
    found = look_up(sessionmaker, "session", token_hash)
    if found.hit is not None:
        cached: LiveSession = found.hit
        return cached
    if found.coherence is None:
        return await read_live_session(sessionmaker, token_hash)
    row = await load_batched(sessionmaker, found, _LIVE_SESSIONS)
    if row is None:
        return None
    console = LiveSession.from_row(row)
    keep(found, console, tags.of_session(console.id, console.grant_id, row.key_service_id))
    return console


@dataclass(slots=True)  # not frozen: read once (db.direct, "a plain slots dataclass")
class LiveSessionRow:
    """``_LIVE_SESSION``'s columns: the session, and its grant as it is now."""

    id: str
    seller_id: str
    member_id: str
    partner_id: str
    grant_id: str
    grant_version: int
    roles: frozenset[str]
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    current_grant_version: int
    grant_status: str
    grant_expires_at: datetime | None
    grant_items: frozenset[str]
    grant_roles: frozenset[str]
    grant_areas: frozenset[str]
    grant_market: str | None
    grant_authorized_object: str | None
    service_valid: bool | None


@dataclass(frozen=True, slots=True)
class LiveSession:
    """A console session as decisions and introspection read it: with what its grant is now."""

    id: str
    seller_id: str
    member_id: str
    partner_id: str
    grant_id: str
    grant_version: int  # the version the session was opened at
    roles: frozenset[str]
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    current_grant_version: int
    grant: GrantFacts

    @classmethod
    def from_row(cls, row: LiveSessionRow) -> LiveSession:
        facts = grant_facts(
            status=row.grant_status,
            expires_at=row.grant_expires_at,
            items=row.grant_items,
            roles=row.grant_roles,
            areas=row.grant_areas,
            market=row.grant_market,
            service_valid=row.service_valid,
            authorized_object=row.grant_authorized_object,
        )
        return cls(
            row.id,
            row.seller_id,
            row.member_id,
            row.partner_id,
            row.grant_id,
            row.grant_version,
            row.roles,
            row.created_at,
            row.expires_at,
            row.ended_at,
            row.current_grant_version,
            facts,
        )


# The decision API's one query (DESIGN §3 hot path): the unique index on ``token_hash`` finds
# the session, the grants' primary key the grant, the services' primary key the service.
_LIVE_SESSION_COLUMNS = (
    select(
        ConsoleSession.id,
        ConsoleSession.seller_id,
        ConsoleSession.member_id,
        ConsoleSession.partner_id,
        ConsoleSession.grant_id,
        ConsoleSession.grant_version,
        ConsoleSession.roles,
        ConsoleSession.created_at,
        ConsoleSession.expires_at,
        ConsoleSession.ended_at,
        Grant.version.label("current_grant_version"),
        Grant.status.label("grant_status"),
        Grant.expires_at.label("grant_expires_at"),
        Grant.items.label("grant_items"),
        Grant.roles.label("grant_roles"),
        Grant.areas.label("grant_areas"),
        Grant.market.label("grant_market"),
        Grant.authorized_object.label("grant_authorized_object"),
        Service.valid.label("service_valid"),
    )
    .join(Grant, Grant.id == ConsoleSession.grant_id)
    .outerjoin(Service, Service.id == Grant.service_id)
)
_LIVE_SESSION = DirectQuery(
    LiveSessionRow,
    _LIVE_SESSION_COLUMNS.where(ConsoleSession.token_hash == bindparam("token_hash")),
)


async def read_live_session(source: SessionSource, token_hash: str) -> LiveSession | None:
    """The console session with this token hash, from the database: read in the caller's
    session, or directly outside any unit of work (``live_session`` when nothing is cached)."""
    row = await _LIVE_SESSION.first(source, {"token_hash": token_hash})
    return None if row is None else LiveSession.from_row(row)


@dataclass(slots=True)
class KeyedLiveSessionRow(LiveSessionRow):
    """A live session of a batch, with its key and the service id its cache entry is tagged by."""

    key_token_hash: str
    key_service_id: str | None


_LIVE_SESSIONS = BatchQuery(
    KeyedLiveSessionRow,
    _LIVE_SESSION_COLUMNS.add_columns(
        ConsoleSession.token_hash.label("key_token_hash"), Grant.service_id.label("key_service_id")
    ),
    ConsoleSession.token_hash,
    key="key_token_hash",
)
