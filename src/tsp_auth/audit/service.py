"""Recording audit events.

Successes are written in the request's own transaction, so an event exists if and only if
its change does. Refusals roll the request back, so the error handler writes them afterwards
in a transaction of their own (``record_denial``).

Never put a token, code or secret in ``detail``: the trail is readable and exportable by
sellers and partners. ``_scrub`` drops keys that look like one, as a second line of defence.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.clock import now
from tsp_auth.models.audit import AuditEvent
from tsp_auth.models.base import new_id
from tsp_auth.observability.context import current_request_id

log = logging.getLogger("tsp_auth.audit")
_SECRET_WORDS = ("token", "secret", "code", "password", "verifier", "assertion", "cookie")


@dataclass(frozen=True, slots=True)
class AuditNote:
    """What an event says; the same shape for a success and for a refusal."""

    action: str
    actor_id: str | None = None
    actor_type: str = "account"
    on_behalf_of: str | None = None
    partner_id: str | None = None
    seller_id: str | None = None
    grant_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def _scrub(detail: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in detail.items() if not any(w in k.lower() for w in _SECRET_WORDS)}


def _event(note: AuditNote, outcome: str, reason: str | None) -> AuditEvent:
    return AuditEvent(
        id=new_id("aud"),
        occurred_at=now(),
        action=note.action,
        outcome=outcome,
        reason=reason,
        actor_id=note.actor_id,
        actor_type=note.actor_type,
        on_behalf_of=note.on_behalf_of,
        partner_id=note.partner_id,
        seller_id=note.seller_id,
        grant_id=note.grant_id,
        request_id=current_request_id(),
        detail=_scrub(note.detail),
    )


def record_event(session: AsyncSession, note: AuditNote) -> None:
    """Add a success event to the request's unit of work (written at its commit)."""
    session.add(_event(note, "success", None))


async def record_denial(
    sessionmaker: async_sessionmaker[AsyncSession], note: AuditNote, reason: str
) -> None:
    """Write a refusal in its own transaction: the request's own was rolled back."""
    try:
        async with sessionmaker() as session:
            session.add(_event(note, "denied", reason))
            await session.commit()
    except Exception as exc:  # the refusal itself must still reach the caller
        log.warning("audit denial not recorded: %s", type(exc).__name__)
