"""What a grant change tells the world, in the transaction of the change: an audit event, a
webhook to the partner (outbox), and the transition metric once the transaction commits.

Called by consent and partner apps (created, renewed), the grant engine (``grants.engine``:
updated, cancelled, deactivated, expired) and the sweep (expiring). docs/operations.md lists
the events.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from tsp_auth.audit.service import Actor, record_event
from tsp_auth.clock import now
from tsp_auth.grants import repository
from tsp_auth.grants.terms import Recorded
from tsp_auth.identity.callers import Caller
from tsp_auth.models import AuthorizationRequest, Grant
from tsp_auth.models.grants import parties
from tsp_auth.observability.metrics import GRANT_TRANSITIONS
from tsp_auth.webhooks.outbox import emit

# The status each action moves a grant to, for tsp_auth_grant_transitions_total{to}.
TRANSITIONS = {
    "grant.created": "active",
    "grant.renewed": "active",
    "grant.expired": "expired",
    "grant.cancelled": "cancelled",
    "grant.deactivated": "deactivated",
}
_PENDING = "tsp_auth.grant_transitions"
# Audit events carry these as columns; the detail holds the rest of the payload.
_IDS = ("grant_id", "seller_id", "partner_id")


def grant_payload(grant: Grant) -> dict[str, Any]:
    """What the audit detail and the webhook say about a grant: its terms, never a secret."""
    seller_id, partner_id = parties(grant)
    return {
        "grant_id": grant.id,
        "kind": grant.kind,
        "seller_id": seller_id,
        "partner_id": partner_id,
        "service_id": grant.service_id,
        "status": grant.status,
        "status_reason": grant.status_reason,
        "version": grant.version,
        "expires_at": grant.expires_at.isoformat() if grant.expires_at else None,
        "items": sorted(grant.items),
        "roles": sorted(grant.roles),
        "areas": sorted(grant.areas),
        "authorized_object": grant.authorized_object,
    }


async def grants_changed(
    session: AsyncSession,
    grants: Iterable[Grant],
    action: str,
    actor: Actor,
    *,
    at: datetime | None = None,
) -> None:
    """Record ``action`` (``grant.created`` …) for each grant: audit, webhook, metric."""
    at = at or now()
    for grant in grants:
        seller_id, partner_id = parties(grant)
        payload = grant_payload(grant)
        detail = {k: v for k, v in payload.items() if k not in _IDS}
        note = actor.note(
            action, partner_id=partner_id, seller_id=seller_id, grant_id=grant.id, detail=detail
        )
        record_event(session, note)
        if partner_id is not None:
            await emit(session, action, partner_id, payload, at=at)
        if action in TRANSITIONS:
            count_on_commit(session, TRANSITIONS[action])


async def grants_ended(
    session: AsyncSession,
    grant_ids: Sequence[str],
    action: str,
    actor: Actor,
    *,
    at: datetime | None = None,
) -> None:
    """``grants_changed`` for grants a bulk UPDATE just changed (their ids)."""
    if not grant_ids:
        return
    await grants_changed(session, await repository.by_ids(session, grant_ids), action, actor, at=at)


def grants_noted(
    session: AsyncSession,
    grant_ids: Sequence[str],
    action: str,
    actor: Actor,
    detail: Mapping[str, str],
) -> None:
    """``action`` for each grant with the flow's own ``detail`` instead of the grant's terms:
    a Business Center grant's event names the business center and the TikTok account
    (docs/business-center.md). No webhook (no partner to tell) and, like the approval that
    made the grant, not counted in the transition metric."""
    for grant_id in grant_ids:
        record_event(session, actor.note(action, grant_id=grant_id, detail=dict(detail)))


async def consent_accepted(
    session: AsyncSession,
    caller: Caller,
    request: AuthorizationRequest,
    recorded: Sequence[Recorded],
    at: datetime,
) -> None:
    """One ``consent.accepted`` event, then ``grant.created`` / ``grant.renewed`` per grant."""
    actor = Actor.of(caller)
    detail = {"authorization_request_id": request.id, "grant_ids": [r.grant.id for r in recorded]}
    record_event(
        session,
        actor.note(
            "consent.accepted",
            partner_id=request.partner_id,
            seller_id=caller.seller_id,
            detail=detail,
        ),
    )
    for item in recorded:
        action = "grant.renewed" if item.renewed else "grant.created"
        await grants_changed(session, [item.grant], action, actor, at=at)


def consent_rejected(session: AsyncSession, caller: Caller, request: AuthorizationRequest) -> None:
    detail = {"authorization_request_id": request.id, "service_id": request.service_id}
    note = Actor.of(caller).note(
        "consent.rejected", partner_id=request.partner_id, seller_id=caller.seller_id, detail=detail
    )
    record_event(session, note)


# Metrics count what committed -------------------------------------------------------------


def count_on_commit(session: AsyncSession, to: str) -> None:
    """Count a transition when the session's transaction commits; forget it on rollback."""
    sync = session.sync_session
    pending: Counter[str] | None = sync.info.get(_PENDING)
    if pending is None:
        pending = sync.info[_PENDING] = Counter()
        event.listen(sync, "after_commit", _publish)
        event.listen(sync, "after_soft_rollback", _discard)
    pending[to] += 1


def _publish(sync: Session) -> None:
    pending: Counter[str] = sync.info[_PENDING]
    for to, count in pending.items():
        GRANT_TRANSITIONS.labels(to).inc(count)
    pending.clear()


def _discard(sync: Session, previous: SessionTransaction) -> None:
    if previous.parent is None:  # the whole transaction, not a savepoint
        sync.info[_PENDING].clear()
