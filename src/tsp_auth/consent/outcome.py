"""What the done page says: how a request was decided, for the seller that decided it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.consent import repository
from tsp_auth.identity.callers import Caller
from tsp_auth.identity.guards import require_seller
from tsp_auth.kit.errors import NotFound
from tsp_auth.registry import repository as registry


@dataclass(frozen=True, slots=True)
class Outcome:
    status: str  # pending | accepted | rejected
    partner_name: str
    decided_at: datetime | None


async def read_outcome(session: AsyncSession, caller: Caller, request_id: str) -> Outcome:
    """A decided request is shown only to accounts of the seller whose account decided it."""
    seller_id = require_seller(caller)
    request = await repository.get_request(session, request_id)
    if request is None:
        raise NotFound("no such authorization request")
    partner = await registry.get_partner(session, request.partner_id)
    assert partner is not None  # foreign key
    if request.status == "pending":
        return Outcome("pending", partner.name, None)
    decider = await registry.get_account(session, request.decided_by or "")
    if decider is None or decider.seller_id != seller_id:
        # Another seller's decision: as if it did not exist (docs/identity.md).
        raise NotFound("no such authorization request")
    return Outcome(request.status, partner.name, request.decided_at)
