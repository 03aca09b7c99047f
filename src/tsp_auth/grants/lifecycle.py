"""Status transitions that end grants in bulk. Each bumps ``version`` so that every token and
session minted from an earlier version stops working on its next use (DESIGN §2)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, update
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.clock import now
from tsp_auth.coherence import publish, tags
from tsp_auth.models import Binding, Grant


async def end_grants(
    session: AsyncSession, where: ColumnElement[bool], *, status: str, reason: str
) -> Sequence[str]:
    """Move every active grant matching ``where`` to ``status``; return their ids."""
    result = await session.execute(
        update(Grant)
        .where(where, Grant.status == "active")
        .values(
            status=status,
            status_reason=reason,
            version=Grant.version + 1,
            updated_at=now(),
        )
        .returning(Grant.id)
        .execution_options(synchronize_session=False)
    )
    ended = list(result.scalars())
    await publish(session, *map(tags.grant, ended))
    return ended


async def deactivate_service_grants(
    session: AsyncSession, service_id: str, *, reason: str
) -> Sequence[str]:
    return await end_grants(
        session, Grant.service_id == service_id, status="deactivated", reason=reason
    )


async def cancel_binding(session: AsyncSession, binding_id: str, *, reason: str) -> Sequence[str]:
    """Seed 002: cancelling ends the binding and, with it, every grant between the two."""
    await session.execute(
        update(Binding)
        .where(Binding.id == binding_id, Binding.status == "active")
        .values(status="cancelled", ended_at=now())
        .execution_options(synchronize_session=False)
    )
    return await end_grants(
        session, Grant.binding_id == binding_id, status="cancelled", reason=reason
    )
