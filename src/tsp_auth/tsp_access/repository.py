"""SQL for TSP Access: login tokens, console sessions, and the grants they are minted from
(a console session as decisions and introspection read it: ``live.session_state``).

Functions take the request's session and only flush. Single use of a login token is one
atomic conditional UPDATE (STYLE §11), so it holds across processes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.coherence import publish, tags
from tsp_auth.grants.repository import effective_status_is
from tsp_auth.models import ConsoleSession, Grant, LoginToken, Seller, Service
from tsp_auth.models.grants import TSP_ACCESS
from tsp_auth.policy import GrantStatus, service_is_valid
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
