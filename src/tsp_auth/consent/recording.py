"""Writing a consent: one grant per service (new or renewed), on the binding ``grants`` keeps.

The consent's own rules live here: a TSP access grant is renewed from ``active`` or
``expired`` (seed 002 FAQ: renew by the link again), and only the service the link names may
renew a grant still in force. ``grants.engine`` writes the rows; its partial unique indexes
settle concurrent consents (docs/consent.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.consent.repository import RENEWABLE_STATUSES
from tsp_auth.grants.engine import record_grant as record
from tsp_auth.grants.terms import NewGrant, Recorded
from tsp_auth.models.grants import TSP_ACCESS
from tsp_auth.policy import Selection


@dataclass(frozen=True, slots=True)
class GrantTerms:
    """What the seller consented to for one service (seed 001: duration, email, terms)."""

    seller_id: str
    partner_id: str
    service_id: str
    binding_id: str
    market: str
    selection: Selection
    consented_by: str
    contact_email: str
    terms_version: str

    def new_grant(self) -> NewGrant:
        picked = self.selection
        return NewGrant(
            TSP_ACCESS,
            grantor_id=self.seller_id,
            grantee_id=self.partner_id,
            consented_by=self.consented_by,
            service_id=self.service_id,
            binding_id=self.binding_id,
            market=self.market,
            items=picked.items,
            roles=picked.roles,
            areas=picked.areas,
            authorized_object=picked.authorized_object,
            duration_days=picked.duration_days,
            contact_email=self.contact_email,
            terms_version=self.terms_version,
        )


async def record_grant(
    session: AsyncSession, terms: GrantTerms, at: datetime, *, may_renew_active: bool
) -> Recorded:
    """Create the (seller, service) grant, or renew the active or expired one in place.

    ``may_renew_active``: only the service the link names renews a grant still in force
    (seed 002 FAQ); any other service must not be authorized yet (seed 000).
    """
    return await record(
        session,
        terms.new_grant(),
        at,
        renewable=RENEWABLE_STATUSES,
        renew_in_force=may_renew_active,
    )
