from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tsp_auth.policy import (
    Decision,
    Offer,
    Reason,
    Selection,
    ServiceFacts,
    check_edit,
    check_selection,
    is_narrowing,
    market_rules,
    offer_for,
)

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SCA = "seller_center_access"
DC = "data_compass"
AO = "authorized_object"
TICKET = "shop_operation_ticket"


def offer(market: str = "US-L2L", items: frozenset[str] | None = None) -> Offer:
    qualified = frozenset({AO, TICKET, SCA, DC}) if items is None else items
    facts = ServiceFacts(
        service_id="svc-1",
        partner_id="partner-1",
        visibility="public",
        valid=True,
        markets=frozenset({market}),
        qualified_items=qualified,
        offered_to=frozenset(),
    )
    return offer_for(facts, market_rules(market, AT))


def sel(
    *items: str,
    roles: frozenset[str] = frozenset(),
    areas: frozenset[str] = frozenset(),
    obj: str | None = None,
    days: int = 90,
) -> Selection:
    return Selection(
        items=frozenset(items), roles=roles, areas=areas, authorized_object=obj, duration_days=days
    )


FULL = sel(
    AO,
    TICKET,
    SCA,
    DC,
    roles=frozenset({"products", "orders", "affiliate_center"}),
    areas=frozenset({"live", "marketing"}),
    obj="shop_and_tiktok",
    days=180,
)


@pytest.mark.parametrize(
    "selection",
    [
        FULL,
        sel(TICKET),  # seed 000: TSP access may be skipped; the other items are authorized
        sel(TICKET, days=30),
        sel(SCA, roles=frozenset({"full_access"}), days=365),
        sel(DC, areas=frozenset({"creator"})),
        sel(AO, obj="tiktok_account"),
    ],
)
def test_valid_selections_in_us_l2l(selection: Selection) -> None:
    assert check_selection(selection, offer("US-L2L")) == Decision.allowed()


@pytest.mark.parametrize(
    ("selection", "the_offer", "reason"),
    [
        (sel("made_up"), offer(), Reason.UNKNOWN_ITEM),
        (sel(TICKET), offer(items=frozenset({DC})), Reason.ITEM_NOT_QUALIFIED),
        (
            sel(SCA, roles=frozenset({"products"})),
            offer("US-CB"),
            Reason.MARKET_DISALLOWS_CONSOLE_ACCESS,
        ),
        (
            sel(SCA, roles=frozenset({"products"})),
            offer("SG"),
            Reason.MARKET_DISALLOWS_CONSOLE_ACCESS,
        ),
        (sel(AO, obj="shop"), offer("UK"), Reason.MARKET_DISALLOWS_AUTHORIZED_OBJECT),
        (sel(AO, obj="shop"), offer("US-CB"), Reason.MARKET_DISALLOWS_AUTHORIZED_OBJECT),
        (sel(SCA), offer(), Reason.ROLES_REQUIRED),
        (sel(SCA, roles=frozenset({"products", "root"})), offer(), Reason.UNKNOWN_ROLE),
        (
            sel(SCA, roles=frozenset({"full_access", "orders"})),
            offer(),
            Reason.FULL_ACCESS_EXCLUSIVE,
        ),
        (sel(roles=frozenset({"orders"})), offer(), Reason.SELLER_CENTER_ACCESS_NOT_GRANTED),
        (sel(DC), offer(), Reason.AREAS_REQUIRED),
        (sel(DC, areas=frozenset({"live", "weather"})), offer(), Reason.UNKNOWN_AREA),
        (sel(areas=frozenset({"live"})), offer(), Reason.ITEM_NOT_GRANTED),
        (sel(AO), offer(), Reason.AUTHORIZED_OBJECT_REQUIRED),
        (sel(AO, obj="everything"), offer(), Reason.UNKNOWN_AUTHORIZED_OBJECT),
        (sel(obj="shop"), offer(), Reason.ITEM_NOT_GRANTED),
        (sel(TICKET, days=60), offer(), Reason.UNKNOWN_DURATION),
        (sel(TICKET, days=0), offer(), Reason.UNKNOWN_DURATION),
        (sel(), offer(), Reason.ITEMS_REQUIRED),
    ],
)
def test_selection_denials(selection: Selection, the_offer: Offer, reason: str) -> None:
    decision = check_selection(selection, the_offer)
    assert (decision.allow, decision.reason) == (False, reason)


def test_eu_allows_console_access_but_not_authorized_object() -> None:
    eu = offer("DE")
    assert check_selection(sel(SCA, roles=frozenset({"live"})), eu).allow
    assert (
        check_selection(sel(AO, obj="shop"), eu).reason == Reason.MARKET_DISALLOWS_AUTHORIZED_OBJECT
    )


def test_us_cb_offers_data_compass() -> None:
    assert check_selection(sel(DC, areas=frozenset({"traffic"})), offer("US-CB")).allow


@pytest.mark.parametrize(
    ("new", "narrowing"),
    [
        (FULL, True),
        (sel(), True),
        (sel(TICKET, DC, areas=frozenset({"live"}), days=30), True),
        (sel(SCA, roles=frozenset({"orders"}), days=180), True),
        (sel(AO, obj="shop", days=180), True),
        (sel(AO, obj="tiktok_account", days=180), True),
        (sel(TICKET, days=365), False),  # longer duration
        (sel(DC, areas=frozenset({"video"}), days=30), False),  # new area
        (sel(SCA, roles=frozenset({"finance"}), days=30), False),  # new role
        (sel(SCA, roles=frozenset({"full_access"}), days=30), False),  # up to full access
    ],
)
def test_is_narrowing(new: Selection, narrowing: bool) -> None:
    assert is_narrowing(FULL, new) is narrowing


def test_anything_under_full_access_is_narrowing() -> None:
    current = sel(SCA, roles=frozenset({"full_access"}))
    assert is_narrowing(current, sel(SCA, roles=frozenset({"finance", "orders"})))


def test_wider_authorized_object_is_not_narrowing() -> None:
    current = sel(AO, obj="shop")
    assert not is_narrowing(current, sel(AO, obj="shop_and_tiktok"))
    assert not is_narrowing(sel(), sel(AO, obj="shop"))


def test_adding_an_item_is_not_narrowing() -> None:
    assert not is_narrowing(sel(TICKET), sel(TICKET, DC, areas=frozenset({"live"})))


def test_narrowing_edit_is_allowed_even_on_invalid_service_and_closed_market() -> None:
    # The grant once held console access in a market that no longer offers it.
    current = sel(TICKET, SCA, roles=frozenset({"orders", "live"}))
    new = sel(SCA, roles=frozenset({"live"}))
    assert check_edit(current, new, offer("US-CB"), service_valid=False).allow


def test_narrowing_edit_must_still_be_well_formed() -> None:
    current = sel(SCA, roles=frozenset({"orders"}))
    decision = check_edit(current, sel(SCA), offer(), service_valid=True)
    assert decision.reason == Reason.ROLES_REQUIRED


def test_adding_tsp_access_needs_a_valid_service() -> None:
    current = sel(TICKET)
    new = sel(TICKET, SCA, roles=frozenset({"orders"}))
    assert check_edit(current, new, offer(), service_valid=True).allow
    decision = check_edit(current, new, offer(), service_valid=False)
    assert (decision.allow, decision.reason) == (False, Reason.SERVICE_NOT_VALID)


def test_widening_roles_needs_a_valid_service() -> None:
    current = sel(SCA, roles=frozenset({"orders"}))
    new = sel(SCA, roles=frozenset({"orders", "finance"}))
    assert check_edit(current, new, offer(), service_valid=False).reason == Reason.SERVICE_NOT_VALID
    assert check_edit(current, new, offer(), service_valid=True).allow


def test_widening_other_items_is_checked_against_the_offer() -> None:
    current = sel(TICKET)
    assert check_edit(current, sel(TICKET, DC, areas=frozenset({"live"})), offer(), False).allow
    decision = check_edit(current, sel(TICKET, AO, obj="shop"), offer("UK"), True)
    assert decision.reason == Reason.MARKET_DISALLOWS_AUTHORIZED_OBJECT


def test_adding_tsp_access_where_the_market_forbids_it() -> None:
    decision = check_edit(
        sel(DC, areas=frozenset({"live"})),
        sel(DC, SCA, areas=frozenset({"live"}), roles=frozenset({"orders"})),
        offer("US-CB"),
        service_valid=True,
    )
    assert decision.reason == Reason.MARKET_DISALLOWS_CONSOLE_ACCESS
