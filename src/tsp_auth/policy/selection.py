"""What the seller picks on the consent page, and whether a pick or an edit of it is allowed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from tsp_auth.policy.catalogue import (
    AREA_CODES,
    DURATION_DAYS,
    FULL_ACCESS,
    ITEM_CODES,
    OBJECT_CODES,
    OBJECT_COVERS,
    ROLE_CODES,
    Item,
)
from tsp_auth.policy.reasons import Reason
from tsp_auth.policy.verdict import ALLOWED, Decision


@dataclass(frozen=True, slots=True)
class Offer:
    """What the consent page may show for one service, in catalogue order.

    ``qualified``: the items the service qualifies for; ``items``: those the market also allows.
    """

    qualified: tuple[str, ...]
    items: tuple[str, ...]
    roles: tuple[str, ...]
    areas: tuple[str, ...]
    authorized_objects: tuple[str, ...]
    durations: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Selection:
    """The seller's picks for one service."""

    items: frozenset[str]
    roles: frozenset[str]
    areas: frozenset[str]
    authorized_object: str | None
    duration_days: int


# Why an item the service qualifies for is withheld; the rest fall back to item_not_qualified.
_MARKET_DENIALS: Mapping[str, Reason] = MappingProxyType(
    {
        Item.SELLER_CENTER_ACCESS: Reason.MARKET_DISALLOWS_CONSOLE_ACCESS,
        Item.AUTHORIZED_OBJECT: Reason.MARKET_DISALLOWS_AUTHORIZED_OBJECT,
    }
)


def _check_items(selection: Selection, offer: Offer) -> Decision:
    if not selection.items <= ITEM_CODES:
        return Decision.denied(Reason.UNKNOWN_ITEM)
    if not selection.items <= frozenset(offer.qualified):
        return Decision.denied(Reason.ITEM_NOT_QUALIFIED)
    withheld = sorted(selection.items - frozenset(offer.items))
    if withheld:
        return Decision.denied(_MARKET_DENIALS.get(withheld[0], Reason.ITEM_NOT_QUALIFIED))
    return ALLOWED


def _check_scopes(
    picked: bool,
    scopes: frozenset[str],
    known: frozenset[str],
    *,
    required: Reason,
    unknown: Reason,
) -> Decision:
    if not picked:
        # Scopes only ride along with their item.
        return Decision.denied(Reason.ITEM_NOT_GRANTED) if scopes else ALLOWED
    if not scopes:
        return Decision.denied(required)
    if not scopes <= known:
        return Decision.denied(unknown)
    return ALLOWED


def _check_roles(selection: Selection) -> Decision:
    picked = Item.SELLER_CENTER_ACCESS in selection.items
    if not picked and selection.roles:
        # seed 000: the seller may skip TSP access; then no permission role comes with it.
        return Decision.denied(Reason.SELLER_CENTER_ACCESS_NOT_GRANTED)
    # seed 001: the seller selects "the Seller Center sections that you want to provide access for".
    scoped = _check_scopes(
        picked,
        selection.roles,
        ROLE_CODES,
        required=Reason.ROLES_REQUIRED,
        unknown=Reason.UNKNOWN_ROLE,
    )
    if not scoped.allow:
        return scoped
    # seed 001: "only provide them with full access or specific area access".
    if FULL_ACCESS in selection.roles and len(selection.roles) > 1:
        return Decision.denied(Reason.FULL_ACCESS_EXCLUSIVE)
    return ALLOWED


def _check_areas(selection: Selection) -> Decision:
    # seed 001: "select which specific areas of Data Analytics you want the TSP to have access to".
    return _check_scopes(
        Item.DATA_COMPASS in selection.items,
        selection.areas,
        AREA_CODES,
        required=Reason.AREAS_REQUIRED,
        unknown=Reason.UNKNOWN_AREA,
    )


def _check_object(selection: Selection) -> Decision:
    # seed 000: "Authorized object: it could be Shop&TikTok, Shop, TikTok Account" - one of them.
    chosen = selection.authorized_object
    return _check_scopes(
        Item.AUTHORIZED_OBJECT in selection.items,
        frozenset() if chosen is None else frozenset({chosen}),
        OBJECT_CODES,
        required=Reason.AUTHORIZED_OBJECT_REQUIRED,
        unknown=Reason.UNKNOWN_AUTHORIZED_OBJECT,
    )


def check_duration(days: int) -> Decision:
    """seed 001: "Select your partner access duration" - one of the catalogued ones."""
    if days in DURATION_DAYS:
        return ALLOWED
    return Decision.denied(Reason.UNKNOWN_DURATION)


def _check_duration(selection: Selection) -> Decision:
    return check_duration(selection.duration_days)


def _check_not_empty(selection: Selection) -> Decision:
    # A grant with no item lets the partner do nothing yet reads "active"; the seller who
    # wants that cancels (seed 002 FAQ "How to cancel authorization?").
    if selection.items:
        return ALLOWED
    return Decision.denied(Reason.ITEMS_REQUIRED)


_SHAPE_CHECKS: tuple[Callable[[Selection], Decision], ...] = (
    _check_roles,
    _check_areas,
    _check_object,
    _check_duration,
    # Last: scopes sent without their item say which item is missing, more than "none".
    _check_not_empty,
)


def _check_shape(selection: Selection) -> Decision:
    """The checks that hold whatever the offer: catalogue codes and how scopes fit items."""
    if not selection.items <= ITEM_CODES:
        return Decision.denied(Reason.UNKNOWN_ITEM)
    for check in _SHAPE_CHECKS:
        decision = check(selection)
        if not decision.allow:
            return decision
    return ALLOWED


def check_selection(selection: Selection, offer: Offer) -> Decision:
    """Is ``selection`` something the seller may consent to, given ``offer``?"""
    offered = _check_items(selection, offer)
    if not offered.allow:
        return offered
    return _check_shape(selection)


def _roles_within(new: frozenset[str], current: frozenset[str]) -> bool:
    # Full access covers every role, so any catalogued subset is a narrowing of it.
    return new <= current or (FULL_ACCESS in current and new <= ROLE_CODES)


def _object_within(new: str | None, current: str | None) -> bool:
    if new is None:
        return True
    return current is not None and new in OBJECT_COVERS.get(current, frozenset())


def is_narrowing(current: Selection, new: Selection) -> bool:
    """Whether ``new`` grants nothing ``current`` does not (an unchanged selection counts)."""
    return (
        new.items <= current.items
        and _roles_within(new.roles, current.roles)
        and new.areas <= current.areas
        and _object_within(new.authorized_object, current.authorized_object)
        and new.duration_days <= current.duration_days
    )


def _widens_tsp_access(current: Selection, new: Selection) -> bool:
    if Item.SELLER_CENTER_ACCESS not in new.items:
        return False
    return Item.SELLER_CENTER_ACCESS not in current.items or not _roles_within(
        new.roles, current.roles
    )


def check_edit(current: Selection, new: Selection, offer: Offer, service_valid: bool) -> Decision:
    """May the seller change a grant's selection from ``current`` to ``new``?"""
    shape = _check_shape(new)
    if not shape.allow:
        return shape
    # DESIGN 2: "narrowing takes effect at once"; no market or service state may block it.
    if is_narrowing(current, new):
        return ALLOWED
    # seed 000: "TSP access can only be added to services that are currently valid".
    if _widens_tsp_access(current, new) and not service_valid:
        return Decision.denied(Reason.SERVICE_NOT_VALID)
    return check_selection(new, offer)
