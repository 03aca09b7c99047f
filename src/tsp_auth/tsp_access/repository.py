"""SQL for TSP Access: login tokens, console sessions, and the grants they are minted from.

Functions take the request's session and only flush. Single use of a login token is one
atomic conditional UPDATE (STYLE §11), so it holds across processes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.coherence import publish, tags
from tsp_auth.db.batched import BatchQuery, Sessions
from tsp_auth.db.direct import DirectQuery, SessionSource
from tsp_auth.grants.repository import (
    TSP_ACCESS,
    effective_status_is,
    grant_facts,
    service_is_valid,
)
from tsp_auth.models import ConsoleSession, Grant, LoginToken, Seller, Service
from tsp_auth.policy import GrantFacts, GrantStatus
from tsp_auth.tsp_access.session_kinds import EndReason, SessionKind


@dataclass(frozen=True, slots=True)
class EndedSession:
    id: str
    member_id: str
    partner_id: str | None  # None: a seller-account session
    seller_id: str
    grant_id: str | None


async def grants_in_force(
    session: AsyncSession, partner_id: str, seller_ids: Sequence[str] | None, at: datetime
) -> Sequence[tuple[Grant, Seller, bool]]:
    """The partner's TSP access grants in force at ``at`` (of ``seller_ids`` if given), with
    their seller and service validity, by seller then age."""
    query = (
        select(Grant, Seller, Service.valid)
        .join(Seller, Seller.id == Grant.grantor_id)
        .outerjoin(Service, Service.id == Grant.service_id)
        .where(
            Grant.kind == TSP_ACCESS,
            Grant.grantee_id == partner_id,
            effective_status_is(GrantStatus.ACTIVE, at),
        )
        .order_by(Seller.shop_name, Seller.id, Grant.created_at, Grant.id)
    )
    if seller_ids is not None:
        query = query.where(Grant.grantor_id.in_(seller_ids))
    rows = await session.execute(query)
    return [(grant, seller, service_is_valid(valid)) for grant, seller, valid in rows]


async def get_login_token(session: AsyncSession, jti: str) -> LoginToken | None:
    result = await session.scalars(
        select(LoginToken).where(LoginToken.jti == jti).execution_options(populate_existing=True)
    )
    return result.first()


async def end_sessions(
    session: AsyncSession, where: ColumnElement[bool], *, at: datetime, reason: str
) -> list[EndedSession]:
    """End every open console session matching ``where``; return what was ended."""
    result = await session.execute(
        update(ConsoleSession)
        .where(ConsoleSession.ended_at.is_(None), where)
        .values(ended_at=at, end_reason=reason)
        .returning(
            ConsoleSession.id,
            ConsoleSession.member_id,
            ConsoleSession.partner_id,
            ConsoleSession.seller_id,
            ConsoleSession.grant_id,
        )
        .execution_options(synchronize_session=False)
    )
    ended = [EndedSession(*row) for row in result]
    await publish(session, *(tags.session(one.id) for one in ended))
    return ended


def _grant_moved_on(at: datetime) -> ColumnElement[bool]:
    """A TSP Access session whose grant is no longer in force at the session's version."""
    in_force = (
        select(Grant.id)
        .where(
            Grant.id == ConsoleSession.grant_id,
            Grant.version == ConsoleSession.grant_version,
            effective_status_is(GrantStatus.ACTIVE, at),
        )
        .exists()
    )
    return and_(ConsoleSession.kind == SessionKind.TSP_ACCESS, ~in_force)


async def end_unusable_on_profile(
    session: AsyncSession, profile: str, at: datetime
) -> dict[str, list[EndedSession]]:
    """End the open sessions on ``profile`` nobody can use any more, by end reason."""
    on_profile = ConsoleSession.browser_profile == profile
    return {
        EndReason.EXPIRED: await end_sessions(
            session,
            and_(on_profile, ConsoleSession.expires_at <= at),
            at=at,
            reason=EndReason.EXPIRED,
        ),
        EndReason.GRANT_ENDED: await end_sessions(
            session, and_(on_profile, _grant_moved_on(at)), at=at, reason=EndReason.GRANT_ENDED
        ),
    }


async def open_session_on_profile(session: AsyncSession, profile: str) -> ConsoleSession | None:
    """The one open session on ``profile`` (``uq_console_sessions_live_profile``), if any."""
    result = await session.scalars(
        select(ConsoleSession)
        .where(ConsoleSession.browser_profile == profile, ConsoleSession.ended_at.is_(None))
        .execution_options(populate_existing=True)
    )
    return result.first()


async def session_by_token(session: AsyncSession, token_hash: str) -> ConsoleSession | None:
    """A session of either kind, open or ended, by its token hash (logout)."""
    result = await session.scalars(
        select(ConsoleSession).where(ConsoleSession.token_hash == token_hash)
    )
    return result.first()


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


async def live_session(source: SessionSource, token_hash: str) -> LiveSession | None:
    """The console session with this token hash: read in the caller's session, or directly
    outside any unit of work (the decision API's hot path)."""
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
)


async def live_sessions(
    sessionmaker: Sessions, token_hashes: Sequence[str]
) -> dict[str, tuple[LiveSession, str | None]]:
    """``live_session`` for a batch of token hashes, in one round trip (the cache's misses)."""
    rows = await _LIVE_SESSIONS.all(sessionmaker, token_hashes)
    return {row.key_token_hash: (LiveSession.from_row(row), row.key_service_id) for row in rows}
