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

from tsp_auth.policy.access import GrantStatus, effective_status
from tsp_auth.policy.catalogue import (
    AREAS,
    AUTHORIZED_OBJECTS,
    DURATIONS,
    ITEMS,
    ROLES,
    Entry,
    Item,
)
from tsp_auth.policy.decisions import ALLOWED, Decision, Reason
from tsp_auth.policy.markets import MarketRules
from tsp_auth.policy.selection import Offer, Selection, check_edit, check_selection, is_narrowing

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
    "is_narrowing",
    "offer_for",
    "visible_services",
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
