"""The end of a partner app's authorizations (seed 004), whoever ends them: the grantor's admin
cancels one, the platform withdraws the grantor's TAP enrolment, the owner sets its app back to
development. The end goes through the one write path (``reduce_access``); what is particular
to apps is that their token families are revoked in the same transaction and the app's owner,
who must stop calling, is told.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.audit.service import Actor, record_event
from tsp_auth.coherence import publish, tags
from tsp_auth.grants import repository
from tsp_auth.grants.engine import EndGrants, reduce_access
from tsp_auth.models import Client, Grant, TokenFamily
from tsp_auth.webhooks.outbox import emit

APP_DEACTIVATED = "app_authorization.deactivated"


def ended_payload(grant: Grant, client: Client | None, at: datetime) -> dict[str, object]:
    """The ``app_authorization.*`` webhook data: who stopped authorizing which app, and why."""
    return {
        "grant_id": grant.id,
        "client_id": grant.grantee_id,
        "app_name": client.name if client else None,
        "service_id": grant.service_id,
        "partner_id": grant.grantor_id,
        "scopes": sorted(grant.scopes),
        "status": grant.status,
        "status_reason": grant.status_reason,
        "version": grant.version,
        f"{grant.status}_at": at.isoformat(),  # cancelled_at, deactivated_at
    }


async def revoke_families(
    session: AsyncSession, grant_id: str, at: datetime, reason: str
) -> Sequence[str]:
    """Revoke every token family of the grant: its refresh and access tokens die at once."""
    result = await session.execute(
        update(TokenFamily)
        .where(TokenFamily.grant_id == grant_id, TokenFamily.revoked_at.is_(None))
        .values(revoked_at=at, revoked_reason=reason)
        .returning(TokenFamily.id)
        .execution_options(synchronize_session=False)
    )
    families = list(result.scalars())
    await publish(session, *map(tags.family, families))
    return families


async def end_app_authorizations(
    session: AsyncSession,
    change: EndGrants,
    *,
    actor: Actor,
    at: datetime,
    event: str,
    families_reason: str | None = None,
) -> list[str]:
    """End the app authorizations ``change`` matches: grant events to each grantor (by the
    engine), every token family revoked (``families_reason``, else the grant's reason), and
    ``event`` (webhook and audit) to each app owner. Returns the ids of the grants ended."""
    grant_ids = await reduce_access(session, change, actor=actor, at=at)
    for grant in await repository.by_ids(session, grant_ids):
        reason = families_reason or change.reason
        families = await revoke_families(session, grant.id, at, reason)
        client = await session.scalar(select(Client).where(Client.id == grant.grantee_id))
        await tell_owner(session, actor, event, grant, client, len(families), at)
    return grant_ids


async def tell_owner(
    session: AsyncSession,
    actor: Actor,
    event: str,
    grant: Grant,
    client: Client | None,
    families_revoked: int,
    at: datetime,
) -> None:
    """``event`` to the app's owner: its app must stop calling for that grantor at once."""
    owner_id = client.partner_id if client else None
    payload = ended_payload(grant, client, at)
    if owner_id is not None:
        await emit(session, event, owner_id, payload, at=at)
    detail = {k: v for k, v in payload.items() if k != "grant_id"}
    detail["token_families_revoked"] = families_revoked
    record_event(session, actor.note(event, partner_id=owner_id, grant_id=grant.id, detail=detail))
