"""SQL for grants. Functions take the request's session and only flush."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, false, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.coherence import publish, tags
from tsp_auth.identity.callers import Caller
from tsp_auth.models import Binding, Grant, MemberAssignment, Service
from tsp_auth.pagination import PageQuery, keyset_page
from tsp_auth.policy import GrantStatus, Selection


def service_is_valid(valid: bool | None) -> bool:
    """``Service.valid`` read through an outer join: a grant without a service (Business
    Center) has no service to become invalid."""
    return True if valid is None else bool(valid)


# Only TSP access grants have a seller as grantor and a partner as grantee (DESIGN §1).
TSP_ACCESS = "tsp_access"


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
) -> bool:
    """Apply an edit only if nobody changed the grant since it was read at ``version``.

    One conditional UPDATE (STYLE §11): the database, not the process, decides which of two
    concurrent edits wins; the loser matches no row.
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
    edited = result.first() is not None
    await publish(session, *([tags.grant(grant_id)] if edited else []))
    return edited


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


async def with_service_valid(session: AsyncSession, grant_id: str) -> tuple[Grant, bool] | None:
    """The grant and whether its service is valid, in one query (the token hot path)."""
    result = await session.execute(
        select(Grant, Service.valid)
        .outerjoin(Service, Service.id == Grant.service_id)
        .where(Grant.id == grant_id)
        .execution_options(populate_existing=True)
    )
    row = result.first()
    if row is None:
        return None
    grant, valid = row
    return grant, service_is_valid(valid)
