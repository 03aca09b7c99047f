"""The answer every policy check gives: allow or deny, with a reason code a UI can show.

DESIGN 2: "Every denial carries a reason code a UI can show."
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Reason(StrEnum):
    """Reason codes; stable strings, part of the API contract."""

    OK = "ok"
    # consent preconditions
    NOT_MAIN_ACCOUNT = "not_main_account"
    SERVICE_NOT_VALID = "service_not_valid"
    # who sets a service's validity (policy.validity)
    SERVICE_INVALIDATED_BY_PLATFORM = "service_invalidated_by_platform"
    SERVICE_NOT_IN_MARKET = "service_not_in_market"
    SERVICE_NOT_OFFERED = "service_not_offered"
    ALREADY_AUTHORIZED = "already_authorized"
    TERMS_NOT_ACCEPTED = "terms_not_accepted"
    BINDING_CANCELLED = "binding_cancelled"
    # selection of items and scopes
    ITEM_NOT_QUALIFIED = "item_not_qualified"
    MARKET_DISALLOWS_CONSOLE_ACCESS = "market_disallows_console_access"
    MARKET_DISALLOWS_AUTHORIZED_OBJECT = "market_disallows_authorized_object"
    UNKNOWN_ITEM = "unknown_item"
    # A grant that grants nothing is no grant: ending one is a cancel, not an edit.
    ITEMS_REQUIRED = "items_required"
    # A "Request TSP Access" link asks for seller center access only (seed 001).
    ITEM_NOT_REQUESTED = "item_not_requested"
    SERVICE_NOT_AUTHORIZED = "service_not_authorized"
    UNKNOWN_ROLE = "unknown_role"
    UNKNOWN_AREA = "unknown_area"
    UNKNOWN_DURATION = "unknown_duration"
    UNKNOWN_AUTHORIZED_OBJECT = "unknown_authorized_object"
    ROLES_REQUIRED = "roles_required"
    FULL_ACCESS_EXCLUSIVE = "full_access_exclusive"
    AREAS_REQUIRED = "areas_required"
    AUTHORIZED_OBJECT_REQUIRED = "authorized_object_required"
    # use of a grant
    GRANT_NOT_ACTIVE = "grant_not_active"
    GRANT_EXPIRED = "grant_expired"
    SELLER_CENTER_ACCESS_NOT_GRANTED = "seller_center_access_not_granted"
    ROLE_NOT_GRANTED = "role_not_granted"
    AREA_NOT_GRANTED = "area_not_granted"
    ITEM_NOT_GRANTED = "item_not_granted"
    UNKNOWN_ACTION = "unknown_action"
    NOT_ASSIGNED = "not_assigned"
    # seed 002 US L2L: the authorized object bounds what the grant reaches.
    OBJECT_NOT_AUTHORIZED = "object_not_authorized"


@dataclass(frozen=True, slots=True)
class Decision:
    """Allow or deny, and why."""

    allow: bool
    reason: str

    @classmethod
    def allowed(cls) -> Decision:
        return cls(allow=True, reason=Reason.OK)

    @classmethod
    def denied(cls, reason: str) -> Decision:
        if reason == Reason.OK:
            raise ValueError("a denial needs a reason other than 'ok'")
        return cls(allow=False, reason=reason)


ALLOWED = Decision.allowed()
