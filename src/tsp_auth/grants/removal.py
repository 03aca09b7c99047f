"""The seller removes one service: its grant ends, the binding and the other grants stay.

Seed 002 step 4: "By clicking 'Edit', the seller can edit/delete/renew the service as needed";
cancelling (`POST /v1/grants/{id}/cancel`) stays "end the binding and everything with it".
A removed grant is ``cancelled`` with ``status_reason`` ``service_removed`` (the seed's four
statuses have no other that fits: the seller ended it), so its version moves on and every login
token and console session minted from it is refused on its next use (DESIGN §2).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.audit.refusals import audit_refusals
from tsp_auth.audit.service import Actor
from tsp_auth.clock import now
from tsp_auth.grants.engine import end_grant, reduce_access
from tsp_auth.grants.schemas import GrantRead
from tsp_auth.grants.service import refuse, reread, visible_grant
from tsp_auth.identity.callers import Caller
from tsp_auth.kit.errors import Conflict, Forbidden
from tsp_auth.policy import GrantStatus, Reason, check_active

SERVICE_REMOVED = Reason.SERVICE_REMOVED


@audit_refusals("grant.cancelled", "grant")
async def remove_grant(session: AsyncSession, caller: Caller, grant_id: str) -> GrantRead:
    """End one grant for its seller's main account; nothing else of the pair changes."""
    at = now()
    grant = await visible_grant(session, caller, grant_id)
    if not caller.is_seller_main:
        # Only the main account authorizes, edits or cancels (seed 000 "Please note" 3).
        error = Reason.NOT_MAIN_ACCOUNT if caller.kind == "seller" else Reason.SELLER_ONLY
        raise Forbidden("only the seller's main account may remove a service", error=error)
    refuse(check_active(grant.status, grant.expires_at, at), Conflict)
    end = end_grant(grant.id, GrantStatus.CANCELLED, SERVICE_REMOVED, version=grant.version)
    if not await reduce_access(session, end, actor=Actor.of(caller), at=at):
        raise Conflict(
            "the grant changed during the request; read it again", error=Reason.GRANT_CHANGED
        )
    return GrantRead.of(await reread(session, grant.id), at)
