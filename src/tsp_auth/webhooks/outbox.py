"""``emit``: the transactional outbox (docs/operations.md).

An event is written as one ``webhook_deliveries`` row per subscribed endpoint, in the session
of the change it reports: the row exists if and only if the change committed. The worker
delivers the rows later, outside any request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, get_args

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.clock import now
from tsp_auth.models import WebhookDelivery
from tsp_auth.models.base import new_id
from tsp_auth.webhooks import repository
from tsp_auth.webhooks.schemas import EventType

EVENT_TYPES: tuple[str, ...] = get_args(EventType)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def event_body(
    event_id: str, event_type: str, partner_id: str, payload: Mapping[str, Any], at: datetime
) -> str:
    """The exact text sent (and signed) on every attempt: compact, keys sorted."""
    envelope = {
        "id": event_id,
        "type": event_type,
        "created_at": at,
        "partner_id": partner_id,
        "data": dict(payload),
    }
    return json.dumps(envelope, default=_json_value, separators=(",", ":"), sort_keys=True)


async def emit(
    session: AsyncSession,
    event_type: str,
    partner_id: str,
    payload: Mapping[str, Any],
    *,
    at: datetime | None = None,
) -> str:
    """Queue ``event_type`` for every endpoint of ``partner_id`` subscribed to it.

    Call it in the transaction of the change. Returns the event id (the ``Webhook-Id``
    header, the receiver's idempotency key), also when no endpoint is subscribed.
    ``payload`` must hold no token or secret: it leaves the platform.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    at = at or now()
    event_id = new_id("evt")
    endpoints = [
        e for e in await repository.active_endpoints(session, partner_id) if event_type in e.events
    ]
    if not endpoints:
        return event_id
    body = event_body(event_id, event_type, partner_id, payload, at)
    session.add_all(
        WebhookDelivery(
            id=new_id("whd"),
            endpoint_id=endpoint.id,
            event_id=event_id,
            event_type=event_type,
            body=body,
            status=repository.PENDING,
            attempts=0,
            next_attempt_at=at,
            locked_until=None,
            lease_id=None,
            created_at=at,
            delivered_at=None,
        )
        for endpoint in endpoints
    )
    await session.flush()
    return event_id
