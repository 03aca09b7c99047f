from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

import pytest

from tsp_auth.policy import (
    AREA_CODES,
    OBJECT_CODES,
    ROLE_CODES,
    Reason,
    ServiceFacts,
    check_consenter,
    check_grant_editable,
    check_service_available,
    check_service_valid,
    check_terms,
    market_rules,
    offer_for,
    visible_services,
)

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ALL_ITEMS = frozenset(
    {"authorized_object", "shop_operation_ticket", "seller_center_access", "data_compass"}
)


def service(
    service_id: str = "svc-1",
    *,
    visibility: Literal["public", "custom"] = "public",
    valid: bool = True,
    markets: frozenset[str] = frozenset({"US-L2L", "UK", "DE"}),
    qualified_items: frozenset[str] = ALL_ITEMS,
    offered_to: frozenset[str] = frozenset(),
) -> ServiceFacts:
    return ServiceFacts(
        service_id=service_id,
        partner_id="partner-1",
        visibility=visibility,
        valid=valid,
        markets=markets,
        qualified_items=qualified_items,
        offered_to=offered_to,
    )


def test_only_the_main_account_consents() -> None:
    assert check_consenter(is_main_account=True).allow
    denied = check_consenter(is_main_account=False)
    assert (denied.allow, denied.reason) == (False, Reason.NOT_MAIN_ACCOUNT)


def test_service_must_be_valid() -> None:
    assert check_service_valid(service()).allow
    assert check_service_valid(service(valid=False)).reason == Reason.SERVICE_NOT_VALID


@pytest.mark.parametrize(
    ("accepted", "allow"), [("2025-10", True), ("2024-01", False), (None, False)]
)
def test_terms_must_be_the_current_version(accepted: str | None, allow: bool) -> None:
    decision = check_terms(accepted, "2025-10")
    assert decision.allow is allow
    assert decision.reason == ("ok" if allow else Reason.TERMS_NOT_ACCEPTED)


@pytest.mark.parametrize(
    ("facts", "seller_id", "already", "reason"),
    [
        (service(), "seller-1", frozenset(), Reason.OK),
        (service(valid=False), "seller-1", frozenset(), Reason.SERVICE_NOT_VALID),
        (service(markets=frozenset({"FR"})), "seller-1", frozenset(), Reason.SERVICE_NOT_IN_MARKET),
        (service(visibility="custom"), "seller-1", frozenset(), Reason.SERVICE_NOT_OFFERED),
        (
            service(visibility="custom", offered_to=frozenset({"seller-2"})),
            "seller-1",
            frozenset(),
            Reason.SERVICE_NOT_OFFERED,
        ),
        (
            service(visibility="custom", offered_to=frozenset({"seller-1"})),
            "seller-1",
            frozenset(),
            Reason.OK,
        ),
        (service(), "seller-1", frozenset({"svc-1"}), Reason.ALREADY_AUTHORIZED),
    ],
)
def test_service_available(
    facts: ServiceFacts, seller_id: str, already: frozenset[str], reason: str
) -> None:
    decision = check_service_available(
        facts, seller_id=seller_id, seller_market="UK", already_authorized=already
    )
    assert decision.reason == reason
    assert decision.allow is (reason == Reason.OK)


def test_visible_services_lists_every_available_service_of_the_partner() -> None:
    services = [
        service("public-ok"),
        service("public-invalid", valid=False),
        service("public-other-market", markets=frozenset({"JP"})),
        service("public-done"),
        service("custom-mine", visibility="custom", offered_to=frozenset({"seller-1"})),
        service("custom-theirs", visibility="custom", offered_to=frozenset({"seller-9"})),
        service(
            "custom-mine-other-market",
            visibility="custom",
            markets=frozenset({"JP"}),
            offered_to=frozenset({"seller-1"}),
        ),
        service("public-ok-2"),
    ]
    visible = visible_services(
        services,
        seller_id="seller-1",
        seller_market="UK",
        already_authorized=frozenset({"public-done"}),
    )
    assert [s.service_id for s in visible] == ["public-ok", "custom-mine", "public-ok-2"]


@pytest.mark.parametrize(
    ("market", "items"),
    [
        (
            "US-L2L",
            ("authorized_object", "shop_operation_ticket", "seller_center_access", "data_compass"),
        ),
        ("US-CB", ("shop_operation_ticket", "data_compass")),
        ("UK", ("shop_operation_ticket", "seller_center_access", "data_compass")),
        ("DE", ("shop_operation_ticket", "seller_center_access", "data_compass")),
        ("SG", ("shop_operation_ticket", "data_compass")),
        ("BR", ("shop_operation_ticket", "data_compass")),
    ],
)
def test_offer_follows_the_market(market: str, items: tuple[str, ...]) -> None:
    offer = offer_for(service(qualified_items=ALL_ITEMS), market_rules(market, AT))
    assert offer.qualified == (
        "authorized_object",
        "shop_operation_ticket",
        "seller_center_access",
        "data_compass",
    )
    assert offer.items == items
    assert set(offer.roles) == (ROLE_CODES if "seller_center_access" in items else set())
    assert set(offer.authorized_objects) == (
        OBJECT_CODES if "authorized_object" in items else set()
    )
    assert set(offer.areas) == AREA_CODES
    assert offer.durations == (30, 90, 180, 365)


def test_offer_shows_only_qualified_items() -> None:
    facts = service(qualified_items=frozenset({"data_compass", "made_up_item"}))
    offer = offer_for(facts, market_rules("US-L2L", AT))
    assert offer.qualified == ("data_compass",)
    assert offer.items == ("data_compass",)
    assert offer.roles == ()
    assert offer.authorized_objects == ()


def test_offer_in_eu_before_launch_has_no_console_access() -> None:
    before = datetime(2025, 11, 30, 23, 0, tzinfo=UTC)
    assert "seller_center_access" not in offer_for(service(), market_rules("DE", before)).items
    after = datetime(2025, 12, 1, 0, 0, tzinfo=UTC)
    assert "seller_center_access" in offer_for(service(), market_rules("DE", after)).items


@pytest.mark.parametrize(
    ("status", "expires_at", "reason"),
    [
        ("active", AT + timedelta(days=1), Reason.OK),
        ("active", None, Reason.OK),
        ("active", AT, Reason.GRANT_EXPIRED),
        ("expired", AT + timedelta(days=1), Reason.GRANT_EXPIRED),
        ("cancelled", AT + timedelta(days=1), Reason.BINDING_CANCELLED),
        ("deactivated", AT + timedelta(days=1), Reason.GRANT_NOT_ACTIVE),
    ],
)
def test_grant_editable(status: str, expires_at: datetime | None, reason: str) -> None:
    decision = check_grant_editable(status, expires_at, AT)
    assert decision.reason == reason
    assert decision.allow is (reason == Reason.OK)
