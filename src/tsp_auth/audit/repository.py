"""SQL for reading the audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.identity.callers import Caller
from tsp_auth.models import AuditEvent


def visible_to(caller: Caller) -> ColumnElement[bool]:
    """A seller's accounts read their seller's events, a partner admin its partner's, an
    operator every event; any other account none."""
    if caller.is_operator:
        return true()
    if caller.kind == "seller" and caller.seller_id is not None:
        return AuditEvent.seller_id == caller.seller_id
    if caller.is_partner_admin and caller.partner_id is not None:
        return AuditEvent.partner_id == caller.partner_id
    return false()


def after(position: tuple[datetime, str], descending: bool) -> ColumnElement[bool]:
    at, event_id = position
    if descending:
        return or_(
            AuditEvent.occurred_at < at,
            and_(AuditEvent.occurred_at == at, AuditEvent.id < event_id),
        )
    return or_(
        AuditEvent.occurred_at > at, and_(AuditEvent.occurred_at == at, AuditEvent.id > event_id)
    )


async def page(
    session: AsyncSession,
    where: Sequence[ColumnElement[bool]],
    *,
    descending: bool,
    limit: int,
) -> Sequence[AuditEvent]:
    order = (
        (AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        if descending
        else (AuditEvent.occurred_at, AuditEvent.id)
    )
    result = await session.scalars(select(AuditEvent).where(*where).order_by(*order).limit(limit))
    return result.all()
