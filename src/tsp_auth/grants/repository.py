"""SQL for grants. Functions take the request's session and only flush."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, false, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.db.keyset import keyset_page
from tsp_auth.identity.callers import Caller
from tsp_auth.kit.pagination import PageQuery
from tsp_auth.models import Binding, Grant, MemberAssignment, Service
from tsp_auth.models.grants import TSP_ACCESS
from tsp_auth.policy import GrantStatus, Selection


def visible_to(caller: Caller) -> ColumnElement[bool]:
    """The grants ``caller`` may see: DESIGN §3 "a seller sees only its grants, a partner only
    its own"; operators see every grant; any other account sees none."""
    if caller.is_operator:
        return true()
    if caller.kind == "seller" and caller.seller_id is not None:
        return and_(Grant.kind == TSP_ACCESS, Grant.grantor_id == caller.seller_id)
    if caller.kind == "partner" and caller.partner_id is not None:
        own = and_(Grant.kind == TSP_ACCESS, Grant.grantee_id == caller.partner_id)
        if caller.is_partner_admin:
            return own
        # A member sees only the sellers an admin assigned to it (seed 000, DESIGN §2).
        assigned = select(MemberAssignment.seller_id).where(
            MemberAssignment.member_id == caller.account_id
        )
        return and_(own, Grant.grantor_id.in_(assigned))
    return false()


def unexpired(at: datetime) -> ColumnElement[bool]:
    return or_(Grant.expires_at.is_(None), Grant.expires_at > at)


def effective_status_is(status: str, at: datetime) -> ColumnElement[bool]:
    """SQL twin of ``policy.effective_status``: an active grant past ``expires_at`` is expired
    whether or not the sweep has run yet."""
    if status == GrantStatus.ACTIVE:
        return and_(Grant.status == GrantStatus.ACTIVE, unexpired(at))
    if status == GrantStatus.EXPIRED:
        lapsed = and_(Grant.status == GrantStatus.ACTIVE, Grant.expires_at <= at)
        return or_(Grant.status == GrantStatus.EXPIRED, lapsed)
    return Grant.status == status


async def get_visible(
    session: AsyncSession, grant_id: str, scope: ColumnElement[bool]
) -> Grant | None:
    """The grant, freshly read (never a stale copy from the identity map)."""
    result = await session.scalars(
        select(Grant).where(Grant.id == grant_id, scope).execution_options(populate_existing=True)
    )
    return result.first()


async def page(
    session: AsyncSession, where: Sequence[ColumnElement[bool]], page: PageQuery
) -> tuple[Sequence[Grant], str | None]:
    """A page of grants in (created_at, id) order."""
    query = select(Grant).where(*where)
    return await keyset_page(session, query, (Grant.created_at, Grant.id), page)


async def update_selection(
    session: AsyncSession, grant_id: str, version: int, selection: Selection, at: datetime
) -> list[str]:
    """Apply an edit only if nobody changed the grant since it was read at ``version``.

    One conditional UPDATE (STYLE §11): the database, not the process, decides which of two
    concurrent edits wins; the loser matches no row (and gets no id back).
    """
    result = await session.execute(
        update(Grant)
        .where(
            Grant.id == grant_id,
            Grant.version == version,
            Grant.status == GrantStatus.ACTIVE,
            unexpired(at),
        )
        .values(
            items=selection.items,
            roles=selection.roles,
            areas=selection.areas,
            authorized_object=selection.authorized_object,
            version=Grant.version + 1,
            updated_at=at,
        )
        .returning(Grant.id)
        .execution_options(synchronize_session=False)
    )
    return list(result.scalars())


async def lock_binding(session: AsyncSession, binding_id: str) -> Binding | None:
    """Read the binding under a row lock, so two cancels of one binding run one after the other
    (SQLite needs no lock: its writers already queue behind BEGIN IMMEDIATE)."""
    result = await session.scalars(
        select(Binding)
        .where(Binding.id == binding_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return result.first()


async def get_service(session: AsyncSession, service_id: str) -> Service | None:
    return await session.get(Service, service_id)


async def by_ids(session: AsyncSession, grant_ids: Sequence[str]) -> Sequence[Grant]:
    """The grants as a bulk UPDATE just left them (fresh, not the identity map's copies)."""
    rows = await session.scalars(
        select(Grant)
        .where(Grant.id.in_(grant_ids))
        .order_by(Grant.id)
        .execution_options(populate_existing=True)
    )
    return rows.all()


async def current_grant(
    session: AsyncSession,
    kind: str,
    grantor_id: str,
    statuses: Sequence[str] = (GrantStatus.ACTIVE,),
    *,
    service_id: str | None = None,
    grantee_id: str | None = None,
) -> Grant | None:
    """The grantor's grant of this service (or to this grantee) in one of ``statuses``: the
    active one, else the latest other. The partial unique indexes allow one active grant."""
    where = [Grant.kind == kind, Grant.grantor_id == grantor_id, Grant.status.in_(statuses)]
    if service_id is not None:
        where.append(Grant.service_id == service_id)
    if grantee_id is not None:
        where.append(Grant.grantee_id == grantee_id)
    result = await session.scalars(
        select(Grant)
        .where(*where)
        .order_by(Grant.status.asc(), Grant.updated_at.desc())
        .execution_options(populate_existing=True)
    )
    return result.first()


async def active_binding(session: AsyncSession, seller_id: str, partner_id: str) -> Binding | None:
    result = await session.scalars(
        select(Binding)
        .where(
            Binding.seller_id == seller_id,
            Binding.partner_id == partner_id,
            Binding.status == "active",
        )
        .execution_options(populate_existing=True)
    )
    return result.first()


# Writes ------------------------------------------------------------------------------------
# Every one bumps ``version`` so that every token and session minted from an earlier version
# stops working on its next use (DESIGN §2). Only ``grants.engine`` calls them.


async def renew(
    session: AsyncSession,
    grant_id: str,
    statuses: Sequence[str],
    values: dict[str, object],
    *,
    version: int | None = None,
) -> Grant | None:
    """Renew in place: same id, ``version + 1`` computed by the database so concurrent
    renewals both count; None if the grant left ``statuses`` meanwhile (or, given
    ``version``, moved past it: its terms were read at that version)."""
    at_version = () if version is None else (Grant.version == version,)
    result = await session.scalars(
        update(Grant)
        .where(Grant.id == grant_id, Grant.status.in_(statuses), *at_version)
        .values(version=Grant.version + 1, **values)
        .returning(Grant)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    return result.first()


async def set_scopes(
    session: AsyncSession, grant_id: str, version: int, scopes: frozenset[str], at: datetime
) -> bool:
    """Set the scopes of an active grant, version + 1, unless it changed since ``version``."""
    result = await session.execute(
        update(Grant)
        .where(Grant.id == grant_id, Grant.version == version, Grant.status == GrantStatus.ACTIVE)
        .values(scopes=scopes, version=Grant.version + 1, updated_at=at)
        .returning(Grant.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


def matching(
    *,
    grant_id: str | None = None,
    version: int | None = None,
    binding_id: str | None = None,
    service_id: str | None = None,
    kind: str | None = None,
    grantor_id: str | None = None,
    grantee_id: str | None = None,
    not_grantor_id: str | None = None,
) -> ColumnElement[bool]:
    """The grants a bulk end touches: one (at ``version`` when given), a binding's, a
    service's, a grantor's or a grantee's of one kind (but not ``not_grantor_id``'s)."""
    where: list[ColumnElement[bool]] = []
    if kind is not None:
        where.append(Grant.kind == kind)
    if grantor_id is not None:
        where.append(Grant.grantor_id == grantor_id)
    if grantee_id is not None:
        where.append(Grant.grantee_id == grantee_id)
    if not_grantor_id is not None:
        where.append(Grant.grantor_id != not_grantor_id)
    if grant_id is not None:
        where.append(Grant.id == grant_id)
    if version is not None:
        where.append(Grant.version == version)
    if binding_id is not None:
        where.append(Grant.binding_id == binding_id)
    if service_id is not None:
        where.append(Grant.service_id == service_id)
    assert where, "a bulk end names the grants it ends"
    return and_(*where)


async def end_grants(
    session: AsyncSession, where: ColumnElement[bool], *, status: str, reason: str, at: datetime
) -> list[str]:
    """Move every active grant matching ``where`` to ``status``; return their ids."""
    result = await session.execute(
        update(Grant)
        .where(where, Grant.status == GrantStatus.ACTIVE)
        .values(status=status, status_reason=reason, version=Grant.version + 1, updated_at=at)
        .returning(Grant.id)
        .execution_options(synchronize_session=False)
    )
    return list(result.scalars())


async def end_binding(session: AsyncSession, binding_id: str, at: datetime) -> None:
    await session.execute(
        update(Binding)
        .where(Binding.id == binding_id, Binding.status == "active")
        .values(status="cancelled", ended_at=at)
        .execution_options(synchronize_session=False)
    )


def _lapsed(at: datetime) -> tuple[ColumnElement[bool], ...]:
    return (Grant.status == GrantStatus.ACTIVE, Grant.expires_at <= at)


async def expire(session: AsyncSession, at: datetime, limit: int) -> list[str]:
    """Move up to ``limit`` lapsed grants from ``active`` to ``expired`` (version + 1).

    The conditions are on the UPDATE itself, so each grant is moved once: PostgreSQL re-checks
    them on a row another sweeper (or a renewal) changed meanwhile; ``SKIP LOCKED`` lets
    concurrent sweepers take different rows; SQLite writers queue behind BEGIN IMMEDIATE.
    The batch is a MATERIALIZED CTE: as a subquery in ``IN`` PostgreSQL's planner may run it
    more than once (each run skips the rows the last one locked), moving more than ``limit``.
    """
    batch = (
        select(Grant.id)
        .where(*_lapsed(at))
        .order_by(Grant.expires_at, Grant.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("batch")
        .prefix_with("MATERIALIZED")
    )
    result = await session.scalars(
        update(Grant)
        .where(Grant.id.in_(select(batch.c.id)), *_lapsed(at))
        .values(status=GrantStatus.EXPIRED, version=Grant.version + 1, updated_at=at)
        .returning(Grant.id)
        .execution_options(synchronize_session=False)
    )
    return list(result.all())
