"""A Business Center admin's pending access requests: listed, and withdrawn (seed 003 step 1).

A withdrawn request's QR code stops working at once: the scan answers 410 ``request_withdrawn``
and the sealed token is erased, so the card cannot be drawn again either.
"""

from __future__ import annotations

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
from tsp_auth.identity.callers import Caller
from tsp_auth.kit.errors import Conflict, Gone
from tsp_auth.kit.pagination import PageQuery
from tsp_auth.policy import Reason


async def list_pending(
    session: AsyncSession, caller: Caller, bc_id: str, page: PageQuery
) -> AccessRequestPage:
    """The BC's requests still waiting for a scan, oldest first (admins only)."""
    bc = await admin_bc(session, caller, bc_id, "bc_access.listed")
    shown, cursor = await repository.pending_requests(session, bc.id, now(), page)
    return AccessRequestPage(items=[request_read(r) for r in shown], next_cursor=cursor)


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
            Gone("the access request has expired", error=Reason.REQUEST_EXPIRED)
            if status == "expired"
            else Conflict(f"the access request is {status}", error=Reason.REQUEST_NOT_PENDING)
        )
        raise denied(refusal, caller, action, request_id=row.id)
    record_event(session, note(caller, action, business_center_id=bc_id, request_id=row.id))
    return request_read(withdrawn)
