"""Decisions for the consent flow: who may consent, which services and items are on offer.

The check of what the seller picks lives in ``policy.selection`` and is re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from types import MappingProxyType
from typing import Literal

from tsp_auth.policy.catalogue import (
    AREAS,
    AUTHORIZED_OBJECTS,
    DURATIONS,
    ITEMS,
    ROLES,
    Entry,
    Item,
)
from tsp_auth.policy.grant_use import GrantStatus, effective_status
from tsp_auth.policy.markets import MarketRules
from tsp_auth.policy.reasons import Reason
from tsp_auth.policy.selection import Offer, Selection, check_edit, check_selection, is_narrowing
from tsp_auth.policy.verdict import ALLOWED, Decision

__all__ = [
    "MARKET_GATES",
    "Offer",
    "Selection",
    "ServiceFacts",
    "check_consenter",
    "check_edit",
    "check_grant_editable",
    "check_selection",
    "check_service_available",
    "check_service_valid",
    "check_terms",
    "check_tsp_access_request",
    "check_tsp_access_selection",
    "is_narrowing",
    "offer_for",
    "tsp_access_offer",
    "visible_services",
    "with_tsp_access",
]


@dataclass(frozen=True, slots=True)
class ServiceFacts:
    """What consent decisions need to know about one partner service."""

    service_id: str
    partner_id: str
    visibility: Literal["public", "custom"]
    valid: bool
    markets: frozenset[str]
    qualified_items: frozenset[str]
    offered_to: frozenset[str] = frozenset()


# Which market rule gates each item; an item not listed is offered in every market.
MARKET_GATES: Mapping[str, Callable[[MarketRules], bool]] = MappingProxyType(
    {
        # seed 002: "no Authorized object" outside US L2L.
        Item.AUTHORIZED_OBJECT: attrgetter("authorized_object_choice"),
        # seed 002: US CB and other markets have "no Permission role authorization".
        Item.SELLER_CENTER_ACCESS: attrgetter("console_login"),
        Item.DATA_COMPASS: attrgetter("data_compass"),
    }
)


def _always(_rules: MarketRules) -> bool:
    return True


def check_consenter(is_main_account: bool) -> Decision:
    """seed 000: "Only the main account of the seller has the authority to authorize"."""
    if is_main_account:
        return ALLOWED
    return Decision.denied(Reason.NOT_MAIN_ACCOUNT)


def check_service_valid(service: ServiceFacts) -> Decision:
    """seed 000: "TSP access can only be added to services that are currently valid"."""
    if service.valid:
        return ALLOWED
    return Decision.denied(Reason.SERVICE_NOT_VALID)


def check_terms(accepted_version: str | None, current_version: str) -> Decision:
    """seed 001: the seller must "confirm the terms and conditions" in force now."""
    if accepted_version == current_version:
        return ALLOWED
    return Decision.denied(Reason.TERMS_NOT_ACCEPTED)


def check_service_available(
    service: ServiceFacts,
    *,
    seller_id: str,
    seller_market: str,
    already_authorized: frozenset[str],
) -> Decision:
    """May this seller authorize this service now? (seed 000/002, DESIGN 2 preconditions)."""
    if not service.valid:
        return Decision.denied(Reason.SERVICE_NOT_VALID)
    if seller_market not in service.markets:
        return Decision.denied(Reason.SERVICE_NOT_IN_MARKET)
    # DESIGN 2: custom services are seen only by the sellers they are offered to.
    if service.visibility == "custom" and seller_id not in service.offered_to:
        return Decision.denied(Reason.SERVICE_NOT_OFFERED)
    # seed 000: the seller sees the "available unauthorized services"; renewal goes by the link.
    if service.service_id in already_authorized:
        return Decision.denied(Reason.ALREADY_AUTHORIZED)
    return ALLOWED


def visible_services(
    services: Iterable[ServiceFacts],
    *,
    seller_id: str,
    seller_market: str,
    already_authorized: frozenset[str],
) -> list[ServiceFacts]:
    """The partner's services the seller may pick on the consent page.

    seed 000/002: "the seller can check all available unauthorized services belonging to this
    partner, and ... choose multiple services to authorize at one time". ``services`` are the
    services of the partner whose link was opened.
    """
    return [
        service
        for service in services
        if check_service_available(
            service,
            seller_id=seller_id,
            seller_market=seller_market,
            already_authorized=already_authorized,
        ).allow
    ]


def _codes_if(offered: bool, entries: tuple[Entry, ...]) -> tuple[str, ...]:
    return tuple(entry.code for entry in entries) if offered else ()


def offer_for(service: ServiceFacts, rules: MarketRules) -> Offer:
    """The items and scopes the consent page may show for ``service`` in this market."""
    # seed 000: "authorizations will be displayed based on different service qualifications".
    qualified = tuple(e.code for e in ITEMS if e.code in service.qualified_items)
    items = tuple(item for item in qualified if MARKET_GATES.get(item, _always)(rules))
    return Offer(
        qualified=qualified,
        items=items,
        roles=_codes_if(Item.SELLER_CENTER_ACCESS in items, ROLES),
        areas=_codes_if(Item.DATA_COMPASS in items, AREAS),
        authorized_objects=_codes_if(Item.AUTHORIZED_OBJECT in items, AUTHORIZED_OBJECTS),
        durations=tuple(duration.days for duration in DURATIONS),
    )


# Why a grant can no longer be edited, by its status at the time of the edit.
_NOT_EDITABLE: Mapping[str, Reason] = MappingProxyType(
    {
        # seed 002: "Cancelled ... means seller cancels binding relationship with its partner";
        # a new authorization link starts a new binding.
        GrantStatus.CANCELLED: Reason.BINDING_CANCELLED,
        # seed 002 FAQ: an expired authorization is renewed by sending the link again.
        GrantStatus.EXPIRED: Reason.GRANT_EXPIRED,
    }
)


def check_grant_editable(status: str, expires_at: datetime | None, at: datetime) -> Decision:
    """seed 002: the seller may "edit/delete/renew" a grant; editing needs it still active."""
    current = effective_status(status, expires_at, at)
    if current == GrantStatus.ACTIVE:
        return ALLOWED
    return Decision.denied(_NOT_EDITABLE.get(current, Reason.GRANT_NOT_ACTIVE))


# seed 001 "Request TSP Access" -----------------------------------------------------------------


def check_tsp_access_request(
    service: ServiceFacts, rules: MarketRules, *, authorized: bool
) -> Decision:
    """May seller center access be asked for, and added to, the seller's grant of ``service``?

    ``authorized``: the seller holds a grant of this service in force now.
    """
    # seed 000: "Sellers must have already authorized a service with their shop to grant TSP
    # access"; seed 001: the TSP sees "which sellers they currently don't have Seller Center
    # access for".
    if not authorized:
        return Decision.denied(Reason.SERVICE_NOT_AUTHORIZED)
    # seed 000: "TSP access can only be added to services that are currently valid".
    if not service.valid:
        return Decision.denied(Reason.SERVICE_NOT_VALID)
    # seed 000: "authorizations will be displayed based on different service qualifications".
    if Item.SELLER_CENTER_ACCESS not in service.qualified_items:
        return Decision.denied(Reason.ITEM_NOT_QUALIFIED)
    # seed 002: US CB and other markets have "no Permission role authorization".
    if not MARKET_GATES[Item.SELLER_CENTER_ACCESS](rules):
        return Decision.denied(Reason.MARKET_DISALLOWS_CONSOLE_ACCESS)
    return ALLOWED


def tsp_access_offer(offer: Offer) -> Offer:
    """What a "Request TSP Access" consent offers: seller center access and its roles, alone."""
    items = tuple(item for item in offer.items if item == Item.SELLER_CENTER_ACCESS)
    return Offer(
        qualified=offer.qualified,
        items=items,
        roles=offer.roles if items else (),
        areas=(),
        authorized_objects=(),
        durations=offer.durations,
    )


def check_tsp_access_selection(selection: Selection, offer: Offer) -> Decision:
    """The seller's picks on a "Request TSP Access" consent: seller center access only."""
    if selection.items - {Item.SELLER_CENTER_ACCESS}:
        return Decision.denied(Reason.ITEM_NOT_REQUESTED)
    return check_selection(selection, tsp_access_offer(offer))


def with_tsp_access(current: Selection, picked: Selection) -> Selection:
    """The grant after a "Request TSP Access" consent: what it held, plus seller center access
    with the roles and the duration the seller just chose (seed 001)."""
    return Selection(
        items=current.items | {Item.SELLER_CENTER_ACCESS},
        roles=picked.roles,
        areas=current.areas,
        authorized_object=current.authorized_object,
        duration_days=picked.duration_days,
    )
