"""``grant_facts`` (a grant's columns as the policy reads them) and ``check_member_login``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tsp_auth.policy import GrantFacts, Reason, check_member_login, grant_facts, service_is_valid

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
COLUMNS: dict[str, object] = {
    "status": "active",
    "expires_at": AT + timedelta(days=30),
    "items": frozenset({"authorized_object", "seller_center_access"}),
    "roles": frozenset({"products", "orders"}),
    "areas": frozenset({"live"}),
    "market": "US-L2L",
    "service_valid": False,
    "authorized_object": "shop",
}


def test_a_grants_columns_become_its_facts() -> None:
    assert grant_facts(**COLUMNS) == GrantFacts(
        status="active",
        expires_at=AT + timedelta(days=30),
        items=frozenset({"authorized_object", "seller_center_access"}),
        roles=frozenset({"products", "orders"}),
        areas=frozenset({"live"}),
        market="US-L2L",
        service_valid=False,
        authorized_object="shop",
    )


def test_no_market_no_service_and_no_object_item_read_as_the_policy_says() -> None:
    facts = grant_facts(
        **{**COLUMNS, "market": None, "service_valid": None, "items": frozenset({"data_compass"})}
    )
    assert (facts.market, facts.service_valid, facts.authorized_object) == ("ZZ", True, None)


@pytest.mark.parametrize(("valid", "read"), [(None, True), (True, True), (False, False)])
def test_service_validity_through_an_outer_join(valid: bool | None, read: bool) -> None:
    assert service_is_valid(valid) is read


def test_a_member_logs_in_with_the_roles_of_the_grant_the_assignment_keeps() -> None:
    facts = grant_facts(**{**COLUMNS, "service_valid": True, "market": "UK"})
    assert check_member_login(facts, None, AT, sea_launch=None).allow
    assert check_member_login(facts, frozenset({"orders"}), AT, sea_launch=None).allow
    narrowed = check_member_login(facts, frozenset({"finance"}), AT, sea_launch=None)
    assert (narrowed.allow, narrowed.reason) == (False, Reason.ROLE_NOT_GRANTED)


def test_a_member_login_in_sea_follows_the_configured_launch() -> None:
    facts = grant_facts(**{**COLUMNS, "service_valid": True, "market": "SG"})
    assert check_member_login(facts, None, AT, sea_launch=date(2026, 1, 1)).allow
    before = check_member_login(facts, None, AT, sea_launch=None)
    assert (before.allow, before.reason) == (False, Reason.MARKET_DISALLOWS_CONSOLE_ACCESS)
