"""Decisions about using a grant: TSP access login and "may this grant do action X?".

The decision API is the hot path (DESIGN 3), so these functions only look at facts the caller
already holds: the grant, the action and the time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType

from tsp_auth.policy.catalogue import (
    AFFILIATE_CENTER,
    AREA_CODES,
    AREA_REACHES,
    FULL_ACCESS,
    OBJECT_COVERS,
    ROLE_CODES,
    ROLE_REACHES,
    SELLER_CENTER_AREAS,
    SHOP,
    Item,
)
from tsp_auth.policy.markets import market_rules
from tsp_auth.policy.reasons import Reason
from tsp_auth.policy.verdict import ALLOWED, Decision


class GrantStatus(StrEnum):
    """Grant lifecycle states (seed 002 "Authorizations status")."""

    ACTIVE = "active"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    DEACTIVATED = "deactivated"


# ISO 3166 user-assigned code: a grant without a market gets "other market" rules (no login).
NO_MARKET = "ZZ"


@dataclass(frozen=True, slots=True)
class GrantFacts:
    """What a decision needs to know about one grant."""

    status: str
    expires_at: datetime | None
    items: frozenset[str]
    roles: frozenset[str]
    areas: frozenset[str]
    market: str
    service_valid: bool
    # seed 002 US L2L: shop_and_tiktok | shop | tiktok_account; None: the grant has no
    # authorized object (other markets: "no Authorized object"), so no object limits it.
    authorized_object: str | None = None


def authorized_object_of(items: frozenset[str], chosen: str | None) -> str | None:
    """The object that bounds a grant: only while it holds the authorized object item."""
    return chosen if Item.AUTHORIZED_OBJECT in items else None


def service_is_valid(valid: bool | None) -> bool:
    """``Service.valid`` read through an outer join: a grant without a service (Business
    Center) has no service to become invalid."""
    return True if valid is None else bool(valid)


def grant_facts(
    *,
    status: str,
    expires_at: datetime | None,
    items: frozenset[str],
    roles: frozenset[str],
    areas: frozenset[str],
    market: str | None,
    service_valid: bool | None,
    authorized_object: str | None,
) -> GrantFacts:
    """What the policy needs of a grant, from its columns as any read gives them: no market
    reads as ``NO_MARKET``, no service (an outer join) as valid, and the authorized object as
    the policy derives it from the items."""
    return GrantFacts(
        status=status,
        expires_at=expires_at,
        items=items,
        roles=roles,
        areas=areas,
        market=market or NO_MARKET,
        service_valid=service_is_valid(service_valid),
        authorized_object=authorized_object_of(items, authorized_object),
    )


@dataclass(frozen=True, slots=True)
class Requirement:
    """What a grant must hold for an action.

    ``any_role``: the grant needs one of these roles (empty: no role needed).
    ``console``: the action runs in a TSP access console session, so the market must allow login.
    ``reaches``: the object the action acts on (``shop`` or ``tiktok_account``), which the
    grant's authorized object must cover; None: not bound to one object (the login itself).
    """

    item: str
    any_role: frozenset[str] = frozenset()
    area: str | None = None
    console: bool = False
    reaches: str | None = SHOP


def _seller_center(area: str) -> Requirement:
    # seed 000: TSP can "access all Seller center features within the authorized permission role".
    return Requirement(
        Item.SELLER_CENTER_ACCESS,
        frozenset({area, FULL_ACCESS}),
        console=True,
        reaches=ROLE_REACHES.get(area, SHOP),
    )


def _data_compass(area: str) -> Requirement:
    # seed 001: the TSP sees only the "specific areas of Data Analytics" selected.
    return Requirement(Item.DATA_COMPASS, area=area, reaches=AREA_REACHES.get(area, SHOP))


# seed 000: "select Seller center access to allow TSP to use Creator IM";
# DESIGN 2: "Creator IM needs the affiliate-center role (or full access)". Creators talk to
# the shop's affiliate identity, so it reaches the shop.
_CREATOR_IM = Requirement(
    Item.SELLER_CENTER_ACCESS, frozenset({AFFILIATE_CENTER, FULL_ACCESS}), console=True
)

ACTIONS: Mapping[str, Requirement] = MappingProxyType(
    {
        **{f"seller_center.{area}": _seller_center(area) for area in SELLER_CENTER_AREAS},
        "creator_im.send": _CREATOR_IM,
        "creator_im.read": _CREATOR_IM,
        **{f"data_compass.{area}": _data_compass(area) for area in sorted(AREA_CODES)},
        # seed 000: "TSP can raise tickets on behalf of your shop".
        "ticket.create": Requirement(Item.SHOP_OPERATION_TICKET),
    }
)

# seed 000 step 2: login needs seller center access with some role, in a market that allows it.
LOGIN = Requirement(Item.SELLER_CENTER_ACCESS, ROLE_CODES, console=True, reaches=None)


def effective_status(status: str, expires_at: datetime | None, at: datetime) -> str:
    """The status at ``at``: DESIGN 2, a grant past its expiry is never treated as active."""
    if status == GrantStatus.ACTIVE and expires_at is not None and expires_at <= at:
        return GrantStatus.EXPIRED
    return status


def check_active(status: str, expires_at: datetime | None, at: datetime) -> Decision:
    """Allowed only for a grant active at ``at``."""
    current = effective_status(status, expires_at, at)
    if current == GrantStatus.ACTIVE:
        return ALLOWED
    if current == GrantStatus.EXPIRED:
        return Decision.denied(Reason.GRANT_EXPIRED)
    return Decision.denied(Reason.GRANT_NOT_ACTIVE)


def _meets(grant: GrantFacts, need: Requirement, at: datetime, sea_launch: date | None) -> Decision:
    # seed 002: US CB and other markets have "no Permission role authorization", so a grant
    # there never holds seller center access; the market, not the seller, is the reason.
    if need.console and not market_rules(grant.market, at, sea_launch=sea_launch).console_login:
        return Decision.denied(Reason.MARKET_DISALLOWS_CONSOLE_ACCESS)
    if need.item not in grant.items:
        if need.item == Item.SELLER_CENTER_ACCESS:
            return Decision.denied(Reason.SELLER_CENTER_ACCESS_NOT_GRANTED)
        return Decision.denied(Reason.ITEM_NOT_GRANTED)
    if not _reachable(grant.authorized_object, need.reaches):
        return Decision.denied(Reason.OBJECT_NOT_AUTHORIZED)
    if need.any_role and not need.any_role & grant.roles:
        return Decision.denied(Reason.ROLE_NOT_GRANTED)
    if need.area is not None and need.area not in grant.areas:
        return Decision.denied(Reason.AREA_NOT_GRANTED)
    return ALLOWED


def _reachable(authorized_object: str | None, reaches: str | None) -> bool:
    """seed 002 US L2L: a grant for the shop does not reach the TikTok account, and back."""
    if authorized_object is None or reaches is None:
        return True
    return reaches in OBJECT_COVERS.get(authorized_object, frozenset())


def check_in_force(grant: GrantFacts, at: datetime) -> Decision:
    """Is the grant in force at ``at``: active (its effective status, so a grant past
    ``expires_at`` is refused before the sweep marks it) and its service valid?

    The one definition of the rule (DESIGN §2): login and the action table apply it here, and
    every token and session minted from a grant through ``live.in_force``.
    """
    active = check_active(grant.status, grant.expires_at, at)
    if not active.allow:
        return active
    # DESIGN 2: an invalid service deactivates its grants; never act on one in the meantime.
    if not grant.service_valid:
        return Decision.denied(Reason.SERVICE_NOT_VALID)
    return ALLOWED


def check_login(grant: GrantFacts, at: datetime, *, sea_launch: date | None = None) -> Decision:
    """May a partner member log into the seller's console with this grant at ``at``?"""
    in_force = check_in_force(grant, at)
    if not in_force.allow:
        return in_force
    return _meets(grant, LOGIN, at, sea_launch)


def decide_action(
    grant: GrantFacts, action: str, at: datetime, *, sea_launch: date | None = None
) -> Decision:
    """May a holder of this grant perform ``action`` at ``at``? See ``ACTIONS``."""
    in_force = check_in_force(grant, at)
    if not in_force.allow:
        return in_force
    need = ACTIONS.get(action)
    if need is None:
        return Decision.denied(Reason.UNKNOWN_ACTION)
    return _meets(grant, need, at, sea_launch)


def effective_roles(
    granted_roles: frozenset[str], assigned_roles: frozenset[str] | None
) -> frozenset[str]:
    """The roles a member may use: the assignment narrows the grant, never widens it.

    ``None`` means no narrowing (an admin, or an unrestricted assignment). Full access in the
    grant covers every role, so any catalogued subset may be assigned.
    """
    if assigned_roles is None:
        return granted_roles
    if FULL_ACCESS in granted_roles:
        return assigned_roles & ROLE_CODES
    return assigned_roles & granted_roles


def for_member(grant: GrantFacts, assigned_roles: frozenset[str] | None) -> GrantFacts:
    """The grant as one member sees it, with roles narrowed to the member's assignment."""
    return dataclasses.replace(grant, roles=effective_roles(grant.roles, assigned_roles))


def check_member_login(
    facts: GrantFacts, roles: frozenset[str] | None, at: datetime, *, sea_launch: date | None
) -> Decision:
    """May a member holding ``roles`` of the grant (None: all of them) log in at ``at``?"""
    return check_login(for_member(facts, roles), at, sea_launch=sea_launch)


def check_assignment(*, is_admin: bool, is_assigned: bool) -> Decision:
    """DESIGN 2: admins see every grant; members only the grants assigned to them."""
    if is_admin or is_assigned:
        return ALLOWED
    return Decision.denied(Reason.NOT_ASSIGNED)
