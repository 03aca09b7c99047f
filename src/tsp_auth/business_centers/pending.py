"""A Business Center admin's pending access requests: listed, and withdrawn (seed 003 step 1).

A withdrawn request's QR code stops working at once: the scan answers 410 ``request_withdrawn``
and the sealed token is erased, so the card cannot be drawn again either.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.audit.service import record_event
from tsp_auth.business_centers import repository
from tsp_auth.business_centers.schemas import AccessRequestPage, AccessRequestRead
from tsp_auth.business_centers.service import (
    admin_bc,
    admin_request,
    denied,
    effective_request_status,
    note,
    request_read,
)
from tsp_auth.clock import now
from tsp_auth.errors import BadRequest, Conflict, Gone
from tsp_auth.identity.callers import Caller

_BAD_CURSOR = "cursor is not one this API issued"


def _encode_cursor(created_at: datetime, request_id: str) -> str:
    raw = json.dumps([created_at.isoformat(), request_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, request_id = json.loads(raw)
        at = datetime.fromisoformat(created_at)
    except (binascii.Error, ValueError, TypeError):
        raise BadRequest(_BAD_CURSOR, error="invalid_cursor") from None
    if at.tzinfo is None or not isinstance(request_id, str):
        raise BadRequest(_BAD_CURSOR, error="invalid_cursor")
    return at, request_id


async def list_pending(
    session: AsyncSession, caller: Caller, bc_id: str, limit: int, cursor: str | None
) -> AccessRequestPage:
    """The BC's requests still waiting for a scan, oldest first (admins only)."""
    bc = await admin_bc(session, caller, bc_id, "bc_access.listed")
    after = None if cursor is None else _decode_cursor(cursor)
    rows = await repository.pending_requests(session, bc.id, now(), after, limit + 1)
    shown = rows[:limit]
    more = len(rows) > limit
    return AccessRequestPage(
        items=[request_read(r) for r in shown],
        next_cursor=_encode_cursor(shown[-1].created_at, shown[-1].id) if more else None,
    )


async def withdraw(
    session: AsyncSession, caller: Caller, bc_id: str, request_id: str
) -> AccessRequestRead:
    action = "bc_access.withdrawn"
    row = await admin_request(session, caller, bc_id, request_id, action)
    withdrawn = await repository.withdraw(session, row.id, now())
    if withdrawn is None:
        fresh = await repository.request_by_token(session, row.token_hash)
        status = effective_request_status(fresh or row)
        refusal = (
            Gone("the access request has expired", error="request_expired")
            if status == "expired"
            else Conflict(f"the access request is {status}", error="request_not_pending")
        )
        raise denied(refusal, caller, action, request_id=row.id)
    record_event(session, note(caller, action, business_center_id=bc_id, request_id=row.id))
    return request_read(withdrawn)
