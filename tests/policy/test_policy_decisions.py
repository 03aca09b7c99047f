from __future__ import annotations

import dataclasses

import pytest

from tsp_auth.policy import Decision, Reason


def test_allowed_says_ok() -> None:
    decision = Decision.allowed()
    assert decision.allow is True
    assert decision.reason == "ok"


def test_denied_carries_its_reason() -> None:
    decision = Decision.denied(Reason.GRANT_EXPIRED)
    assert decision.allow is False
    assert decision.reason == "grant_expired"


def test_a_denial_cannot_claim_ok() -> None:
    with pytest.raises(ValueError, match="reason other than 'ok'"):
        Decision.denied(Reason.OK)


def test_decision_is_immutable() -> None:
    decision = Decision.allowed()
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.allow = False  # type: ignore[misc]


def test_reason_codes_are_the_documented_strings() -> None:
    # The policy's codes, among the catalogue's others (tests/test_reasons.py has them all).
    assert {r.value for r in Reason} >= {
        "ok",
        "not_main_account",
        "service_not_valid",
        "service_invalidated_by_platform",
        "service_not_in_market",
        "service_not_offered",
        "item_not_qualified",
        "market_disallows_console_access",
        "market_disallows_authorized_object",
        "unknown_role",
        "unknown_area",
        "unknown_item",
        "unknown_duration",
        "unknown_authorized_object",
        "roles_required",
        "full_access_exclusive",
        "areas_required",
        "authorized_object_required",
        "terms_not_accepted",
        "grant_not_active",
        "grant_expired",
        "seller_center_access_not_granted",
        "role_not_granted",
        "area_not_granted",
        "item_not_granted",
        "unknown_action",
        "binding_cancelled",
        "already_authorized",
        "not_assigned",
        "items_required",
        "item_not_requested",
        "service_not_authorized",
        "object_not_authorized",
    }
