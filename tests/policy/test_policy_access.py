from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from tsp_auth.policy import (
    ACTIONS,
    AREA_CODES,
    SELLER_CENTER_AREAS,
    GrantFacts,
    Reason,
    check_assignment,
    check_login,
    decide_action,
    effective_roles,
    effective_status,
    for_member,
)

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SCA = "seller_center_access"
DC = "data_compass"
TICKET = "shop_operation_ticket"


def grant(
    *,
    status: str = "active",
    expires_at: datetime | None = AT + timedelta(days=30),
    items: frozenset[str] = frozenset({SCA, DC, TICKET}),
    roles: frozenset[str] = frozenset({"orders", "affiliate_center"}),
    areas: frozenset[str] = frozenset({"live"}),
    market: str = "US-L2L",
    service_valid: bool = True,
) -> GrantFacts:
    return GrantFacts(
        status=status,
        expires_at=expires_at,
        items=items,
        roles=roles,
        areas=areas,
        market=market,
        service_valid=service_valid,
    )


@pytest.mark.parametrize(
    ("status", "expires_at", "expected"),
    [
        ("active", AT + timedelta(microseconds=1), "active"),
        ("active", AT, "expired"),
        ("active", AT - timedelta(microseconds=1), "expired"),
        ("active", None, "active"),
        ("cancelled", AT - timedelta(days=1), "cancelled"),
        ("deactivated", AT + timedelta(days=1), "deactivated"),
        ("expired", AT + timedelta(days=1), "expired"),
    ],
)
def test_effective_status_at_the_expiry_boundary(
    status: str, expires_at: datetime | None, expected: str
) -> None:
    assert effective_status(status, expires_at, AT) == expected


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        (grant(), Reason.OK),
        (grant(roles=frozenset({"full_access"})), Reason.OK),
        (grant(market="UK"), Reason.OK),
        (grant(expires_at=AT), Reason.GRANT_EXPIRED),
        (grant(status="expired"), Reason.GRANT_EXPIRED),
        (grant(status="cancelled"), Reason.GRANT_NOT_ACTIVE),
        (grant(status="deactivated"), Reason.GRANT_NOT_ACTIVE),
        (grant(service_valid=False), Reason.SERVICE_NOT_VALID),
        (grant(items=frozenset({DC})), Reason.SELLER_CENTER_ACCESS_NOT_GRANTED),
        (grant(roles=frozenset()), Reason.ROLE_NOT_GRANTED),
        (grant(market="US-CB"), Reason.MARKET_DISALLOWS_CONSOLE_ACCESS),
        (grant(market="JP"), Reason.MARKET_DISALLOWS_CONSOLE_ACCESS),
        (grant(market="ID"), Reason.MARKET_DISALLOWS_CONSOLE_ACCESS),
    ],
)
def test_check_login(facts: GrantFacts, reason: str) -> None:
    decision = check_login(facts, AT)
    assert decision.reason == reason
    assert decision.allow is (reason == Reason.OK)


@pytest.mark.parametrize(
    ("at", "allow"),
    [
        (datetime(2025, 11, 30, 23, 59, tzinfo=UTC), False),
        (datetime(2025, 12, 1, 0, 0, tzinfo=UTC), True),
    ],
)
def test_login_in_eu_starts_december_2025(at: datetime, allow: bool) -> None:
    decision = check_login(grant(market="FR", expires_at=None), at)
    assert decision.allow is allow
    if not allow:
        assert decision.reason == Reason.MARKET_DISALLOWS_CONSOLE_ACCESS


def test_login_in_sea_follows_launch_date() -> None:
    facts = grant(market="PH")
    assert check_login(facts, AT).reason == Reason.MARKET_DISALLOWS_CONSOLE_ACCESS
    assert check_login(facts, AT, sea_launch=date(2026, 3, 1)).allow
    assert not check_login(facts, AT, sea_launch=date(2026, 3, 2)).allow


@pytest.mark.parametrize(
    ("action", "facts", "reason"),
    [
        # seller center areas need the role or full access
        ("seller_center.orders", grant(), Reason.OK),
        ("seller_center.finance", grant(), Reason.ROLE_NOT_GRANTED),
        ("seller_center.finance", grant(roles=frozenset({"full_access"})), Reason.OK),
        (
            "seller_center.orders",
            grant(items=frozenset({DC})),
            Reason.SELLER_CENTER_ACCESS_NOT_GRANTED,
        ),
        ("seller_center.orders", grant(market="US-CB"), Reason.MARKET_DISALLOWS_CONSOLE_ACCESS),
        # Creator IM needs affiliate center (or full access) under seller center access
        ("creator_im.send", grant(), Reason.OK),
        ("creator_im.read", grant(), Reason.OK),
        ("creator_im.send", grant(roles=frozenset({"orders"})), Reason.ROLE_NOT_GRANTED),
        ("creator_im.read", grant(roles=frozenset({"full_access"})), Reason.OK),
        ("creator_im.send", grant(items=frozenset({DC})), Reason.SELLER_CENTER_ACCESS_NOT_GRANTED),
        ("creator_im.send", grant(market="US-CB"), Reason.MARKET_DISALLOWS_CONSOLE_ACCESS),
        ("creator_im.send", grant(market="SG"), Reason.MARKET_DISALLOWS_CONSOLE_ACCESS),
        # data compass needs the item and the area, in every market
        ("data_compass.live", grant(), Reason.OK),
        ("data_compass.live", grant(market="US-CB"), Reason.OK),
        ("data_compass.live", grant(market="BR"), Reason.OK),
        ("data_compass.traffic", grant(), Reason.AREA_NOT_GRANTED),
        ("data_compass.live", grant(items=frozenset({SCA})), Reason.ITEM_NOT_GRANTED),
        # tickets need the shop operation ticket item
        ("ticket.create", grant(), Reason.OK),
        ("ticket.create", grant(items=frozenset({SCA})), Reason.ITEM_NOT_GRANTED),
        # unknown actions
        ("seller_center.full_access", grant(), Reason.UNKNOWN_ACTION),
        ("seller_center.root", grant(), Reason.UNKNOWN_ACTION),
        ("data_compass.weather", grant(), Reason.UNKNOWN_ACTION),
        ("", grant(), Reason.UNKNOWN_ACTION),
        # the grant must be usable first
        ("ticket.create", grant(expires_at=AT), Reason.GRANT_EXPIRED),
        ("ticket.create", grant(status="cancelled"), Reason.GRANT_NOT_ACTIVE),
        ("ticket.create", grant(status="deactivated"), Reason.GRANT_NOT_ACTIVE),
        ("data_compass.live", grant(service_valid=False), Reason.SERVICE_NOT_VALID),
    ],
)
def test_decide_action(action: str, facts: GrantFacts, reason: str) -> None:
    decision = decide_action(facts, action, AT)
    assert decision.reason == reason
    assert decision.allow is (reason == Reason.OK)


def test_action_table_covers_every_area_and_role() -> None:
    expected = (
        {f"seller_center.{area}" for area in SELLER_CENTER_AREAS}
        | {f"data_compass.{area}" for area in AREA_CODES}
        | {"creator_im.send", "creator_im.read", "ticket.create"}
    )
    assert set(ACTIONS) == expected


@pytest.mark.parametrize("area", SELLER_CENTER_AREAS)
def test_each_seller_center_area_needs_its_role(area: str) -> None:
    assert decide_action(grant(roles=frozenset({area})), f"seller_center.{area}", AT).allow
    other = frozenset(SELLER_CENTER_AREAS) - {area}
    denied = decide_action(grant(roles=other), f"seller_center.{area}", AT)
    assert denied.reason == Reason.ROLE_NOT_GRANTED


@pytest.mark.parametrize(
    ("granted", "assigned", "expected"),
    [
        (frozenset({"orders", "live"}), None, frozenset({"orders", "live"})),
        (frozenset({"orders", "live"}), frozenset({"live"}), frozenset({"live"})),
        (frozenset({"orders"}), frozenset({"orders", "finance"}), frozenset({"orders"})),
        (frozenset({"orders"}), frozenset(), frozenset()),
        (
            frozenset({"full_access"}),
            frozenset({"finance", "live"}),
            frozenset({"finance", "live"}),
        ),
        (frozenset({"full_access"}), frozenset({"full_access"}), frozenset({"full_access"})),
        (frozenset({"full_access"}), frozenset({"root"}), frozenset()),
    ],
)
def test_effective_roles(
    granted: frozenset[str], assigned: frozenset[str] | None, expected: frozenset[str]
) -> None:
    assert effective_roles(granted, assigned) == expected


def test_member_assignment_narrows_decisions() -> None:
    facts = grant(roles=frozenset({"full_access"}))
    member = for_member(facts, frozenset({"orders"}))
    assert member == dataclasses.replace(facts, roles=frozenset({"orders"}))
    assert decide_action(member, "seller_center.orders", AT).allow
    assert decide_action(member, "creator_im.send", AT).reason == Reason.ROLE_NOT_GRANTED
    assert check_login(for_member(facts, frozenset()), AT).reason == Reason.ROLE_NOT_GRANTED


@pytest.mark.parametrize(
    ("is_admin", "is_assigned", "reason"),
    [
        (True, False, Reason.OK),
        (False, True, Reason.OK),
        (True, True, Reason.OK),
        (False, False, Reason.NOT_ASSIGNED),
    ],
)
def test_check_assignment(is_admin: bool, is_assigned: bool, reason: str) -> None:
    decision = check_assignment(is_admin=is_admin, is_assigned=is_assigned)
    assert decision.reason == reason
    assert decision.allow is (reason == Reason.OK)
