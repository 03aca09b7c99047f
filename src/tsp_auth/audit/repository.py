"""SQL for reading the audit trail, and the subjects refusals are recorded about."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.audit.schemas import AuditQuery
from tsp_auth.db.pages import keyset_page
from tsp_auth.identity.repository import Caller
from tsp_auth.models import AuditEvent, AuthorizationRequest, Grant


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


async def page(
    session: AsyncSession, where: Sequence[ColumnElement[bool]], query: AuditQuery
) -> tuple[Sequence[AuditEvent], str | None]:
    """A page in (occurred_at, id) order, ascending or descending."""
    columns = (AuditEvent.occurred_at, AuditEvent.id)
    statement = select(AuditEvent).where(*where)
    return await keyset_page(session, statement, columns, query, descending=query.order == "desc")


async def refused_request(session: AsyncSession, request_id: str) -> AuthorizationRequest | None:
    """The authorization request a refusal is about. By primary key: already in the identity
    map when the flow got that far, so usually no query at all."""
    return await session.get(AuthorizationRequest, request_id)


async def refused_grant(session: AsyncSession, grant_id: str) -> Grant | None:
    """The grant a refusal is about (by primary key, as ``refused_request``)."""
    return await session.get(Grant, grant_id)
