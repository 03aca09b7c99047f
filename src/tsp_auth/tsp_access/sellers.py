"""The sellers a partner account may act for (seed 000: "manage all their merchant account
access points and seamlessly switch between accounts from a single location").

Admins see every seller with a TSP access grant in force to their partner; members only the
sellers assigned to them, each grant with the member's effective roles (DESIGN §2).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.assignments import repository as assignments
from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.identity.callers import Caller
from tsp_auth.identity.guards import require_partner_account
from tsp_auth.live.grant_state import facts_of
from tsp_auth.models import Grant, Seller
from tsp_auth.policy import check_member_login, effective_roles
from tsp_auth.tsp_access import repository
from tsp_auth.tsp_access.schemas import LoginDecision, SellerGrant, TspSeller, TspSellerList


async def _assigned(
    session: AsyncSession, partner_id: str, member_id: str
) -> Mapping[str, frozenset[str] | None]:
    """The member's assigned sellers and the roles each assignment gives (None: all)."""
    rows = await assignments.listed(session, partner_id=partner_id, member_id=member_id)
    return {row.seller_id: row.roles for row in rows}


async def list_sellers(session: AsyncSession, settings: Settings, caller: Caller) -> TspSellerList:
    """Sellers with a grant in force, by shop name; each grant with the caller's roles and
    whether it lets the caller log in now."""
    at = now()
    partner_id = require_partner_account(caller, to="list the sellers they act for")
    assigned = (
        None if caller.is_partner_admin else await _assigned(session, partner_id, caller.account_id)
    )
    if assigned is not None and not assigned:
        return TspSellerList(items=[])
    seller_ids = None if assigned is None else sorted(assigned)
    rows = await repository.grants_in_force(session, partner_id, seller_ids, at)
    by_seller: dict[str, TspSeller] = {}
    for grant, seller, valid in rows:
        roles = None if assigned is None else assigned[seller.id]
        entry = by_seller.setdefault(seller.id, _seller(seller))
        entry.grants.append(_grant(grant, valid, roles, settings, at))
    return TspSellerList(items=list(by_seller.values()))


def _seller(seller: Seller) -> TspSeller:
    return TspSeller(
        seller_id=seller.id, shop_name=seller.shop_name, market=seller.market, grants=[]
    )


def _grant(
    grant: Grant, valid: bool, roles: frozenset[str] | None, settings: Settings, at: datetime
) -> SellerGrant:
    facts = facts_of(grant, valid)
    login = check_member_login(facts, roles, at, sea_launch=settings.sea_launch_date)
    return SellerGrant(
        grant_id=grant.id,
        service_id=grant.service_id,
        version=grant.version,
        items=sorted(grant.items),
        roles=sorted(effective_roles(grant.roles, roles)),
        areas=sorted(grant.areas),
        expires_at=grant.expires_at,
        login=LoginDecision(allow=login.allow, reason=login.reason),
    )
