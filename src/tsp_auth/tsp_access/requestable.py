"""seed 001 "Request TSP Access": the sellers a partner could ask for seller center access.

"TSPs will be able to see which sellers they currently don't have Seller Center access for and
they can select Request TSP Access": each seller with a grant in force, of a valid service that
qualifies for seller center access, in a market that offers it, whose grant lacks the item. The
link is then `POST /v1/authorization-links` with that `service_id` and `purpose=tsp_access`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.assignments import repository as assignments
from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.consent.offers import service_facts
from tsp_auth.identity.callers import Caller
from tsp_auth.identity.guards import require_partner_account
from tsp_auth.models import Grant, Seller, Service
from tsp_auth.policy import Item, check_tsp_access_request, market_rules
from tsp_auth.registry import repository as registry
from tsp_auth.tsp_access import repository
from tsp_auth.tsp_access.schemas import AccessRequestable, AccessRequestableList


def _requestable(
    grant: Grant, seller: Seller, service: Service | None, settings: Settings, at: datetime
) -> bool:
    if service is None or Item.SELLER_CENTER_ACCESS in grant.items:
        return False
    rules = market_rules(seller.market, at, sea_launch=settings.sea_launch_date)
    facts = service_facts(service, frozenset())
    return check_tsp_access_request(facts, rules, authorized=True).allow


async def list_requestable(
    session: AsyncSession, settings: Settings, caller: Caller
) -> AccessRequestableList:
    """Admins: every such seller of the partner; members: those assigned to them (DESIGN §2,
    as for every grant a member sees)."""
    at = now()
    partner_id = require_partner_account(caller, to="request TSP access")
    seller_ids = None
    if not caller.is_partner_admin:
        assigned = await assignments.listed(
            session, partner_id=partner_id, member_id=caller.account_id
        )
        seller_ids = sorted({row.seller_id for row in assigned})
    services: Mapping[str, Service] = {
        s.id: s for s in await registry.partner_services(session, partner_id)
    }
    rows = await repository.grants_in_force(session, partner_id, seller_ids, at)
    items = [
        AccessRequestable(
            seller_id=seller.id,
            shop_name=seller.shop_name,
            market=seller.market,
            grant_id=grant.id,
            service_id=service.id,
            service_name=service.name,
            expires_at=grant.expires_at,
        )
        for grant, seller, _ in rows
        if (service := services.get(grant.service_id or "")) is not None
        and _requestable(grant, seller, service, settings, at)
    ]
    return AccessRequestableList(items=items)
