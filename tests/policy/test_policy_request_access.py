"""seed 001 "Request TSP Access": who may be asked, what the consent offers, what it adds."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from tsp_auth.policy import (
    Offer,
    Reason,
    Selection,
    ServiceFacts,
    check_tsp_access_request,
    check_tsp_access_selection,
    market_rules,
    offer_for,
    tsp_access_offer,
    with_tsp_access,
)

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SCA, DC, AO = "seller_center_access", "data_compass", "authorized_object"
SERVICE = ServiceFacts(
    service_id="svc-1",
    partner_id="ptn-1",
    visibility="public",
    valid=True,
    markets=frozenset({"UK", "US-L2L", "US-CB"}),
    qualified_items=frozenset({AO, SCA, DC, "shop_operation_ticket"}),
)


def _offer(market: str) -> Offer:
    return offer_for(SERVICE, market_rules(market, AT))


@pytest.mark.parametrize(
    ("change", "market", "reason"),
    [
        ({"valid": False}, "UK", Reason.SERVICE_NOT_VALID),
        ({"qualified_items": frozenset({DC})}, "UK", Reason.ITEM_NOT_QUALIFIED),
        ({}, "US-CB", Reason.MARKET_DISALLOWS_CONSOLE_ACCESS),
        ({}, "JP", Reason.MARKET_DISALLOWS_CONSOLE_ACCESS),
    ],
)
def test_each_refusal_of_a_request_has_its_reason(
    change: dict[str, object], market: str, reason: Reason
) -> None:
    service = dataclasses.replace(SERVICE, **change)  # type: ignore[arg-type]
    decision = check_tsp_access_request(service, market_rules(market, AT), authorized=True)
    assert (decision.allow, decision.reason) == (False, reason)


@pytest.mark.parametrize("market", ["UK", "US-L2L", "DE"])
def test_a_request_for_an_authorized_valid_qualified_service_is_allowed(market: str) -> None:
    assert check_tsp_access_request(SERVICE, market_rules(market, AT), authorized=True).allow


def test_the_request_offer_is_seller_center_access_and_its_roles_alone() -> None:
    offer = tsp_access_offer(_offer("US-L2L"))
    assert offer.items == (SCA,)
    assert "products" in offer.roles and "full_access" in offer.roles
    assert (offer.areas, offer.authorized_objects) == ((), ())
    assert offer.durations == (30, 90, 180, 365)
    assert offer.qualified == _offer("US-L2L").qualified


def test_where_the_market_withholds_console_access_the_offer_shows_no_roles() -> None:
    """seed 002: US CB has "no Permission role authorization"."""
    withholding = dataclasses.replace(_offer("UK"), items=(DC,))
    offer = tsp_access_offer(withholding)
    assert (offer.items, offer.roles) == ((), ())


def test_the_seller_picks_roles_from_the_request_offer() -> None:
    picked = Selection(frozenset({SCA}), frozenset({"orders"}), frozenset(), None, 30)
    assert check_tsp_access_selection(picked, _offer("UK")).allow
    unknown = dataclasses.replace(picked, roles=frozenset({"payroll"}))
    decision = check_tsp_access_selection(unknown, _offer("UK"))
    assert (decision.allow, decision.reason) == (False, Reason.UNKNOWN_ROLE)
    decision = check_tsp_access_selection(picked, _offer("US-CB"))
    assert (decision.allow, decision.reason) == (False, Reason.MARKET_DISALLOWS_CONSOLE_ACCESS)


def test_the_grant_after_a_request_keeps_what_it_held_and_adds_seller_center_access() -> None:
    held = Selection(
        items=frozenset({AO, DC}),
        roles=frozenset(),
        areas=frozenset({"live"}),
        authorized_object="shop",  # seed 002 US L2L: a shop-only grant stays shop-only
        duration_days=90,
    )
    picked = Selection(frozenset({SCA}), frozenset({"orders"}), frozenset(), None, 30)
    assert with_tsp_access(held, picked) == Selection(
        items=frozenset({AO, DC, SCA}),
        roles=frozenset({"orders"}),
        areas=frozenset({"live"}),
        authorized_object="shop",
        duration_days=30,
    )
