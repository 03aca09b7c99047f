from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from tsp_auth.policy import (
    CONSOLE_RULES,
    ConsoleRule,
    MarketGroup,
    is_known_market,
    is_valid_market,
    link_region,
    market_group,
    market_rules,
    validate_market,
)
from tsp_auth.policy.markets import console_login_allowed

AFTER_EU_LAUNCH = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("market", "group", "console", "object_choice", "host"),
    [
        ("US-L2L", MarketGroup.US_L2L, True, True, "US"),
        ("US-CB", MarketGroup.US_CB, False, False, "US"),
        ("UK", MarketGroup.UK, True, False, "ROW"),
        ("DE", MarketGroup.EU, True, False, "ROW"),
        ("FR", MarketGroup.EU, True, False, "ROW"),
        ("IE", MarketGroup.EU, True, False, "ROW"),
        ("ID", MarketGroup.SEA, False, False, "ROW"),
        ("TH", MarketGroup.SEA, False, False, "ROW"),
        ("JP", MarketGroup.OTHER, False, False, "ROW"),
        ("BR", MarketGroup.OTHER, False, False, "ROW"),
        ("MX", MarketGroup.OTHER, False, False, "ROW"),
        ("SA", MarketGroup.OTHER, False, False, "ROW"),
    ],
)
def test_market_table_row(
    market: str, group: MarketGroup, console: bool, object_choice: bool, host: str
) -> None:
    rules = market_rules(market, AFTER_EU_LAUNCH)
    assert rules.market == market
    assert rules.group is group
    assert rules.console_login is console
    assert rules.authorized_object_choice is object_choice
    assert rules.data_compass is True  # every market offers data compass
    assert rules.host == host
    assert link_region(market) == host


@pytest.mark.parametrize("market", ["DE", "FR", "IT", "ES", "IE", "NL", "PL", "AT", "BE"])
def test_eu_markets_are_grouped_as_eu(market: str) -> None:
    assert market_group(market) is MarketGroup.EU


@pytest.mark.parametrize("market", ["ID", "MY", "VN", "SG", "PH", "TH"])
def test_sea_markets_are_grouped_as_sea(market: str) -> None:
    assert market_group(market) is MarketGroup.SEA


@pytest.mark.parametrize(
    ("at", "console"),
    [
        (datetime(2025, 11, 30, 0, 0, tzinfo=UTC), False),
        (datetime(2025, 11, 30, 23, 59, 59, 999999, tzinfo=UTC), False),
        (datetime(2025, 12, 1, 0, 0, tzinfo=UTC), True),
        (datetime(2025, 12, 1, 0, 0, 1, tzinfo=UTC), True),
        (datetime(2024, 6, 1, tzinfo=UTC), False),
    ],
)
def test_eu_console_login_starts_on_2025_12_01(at: datetime, console: bool) -> None:
    assert market_rules("DE", at).console_login is console


def test_eu_boundary_is_judged_in_utc() -> None:
    # 2025-12-01 01:00 in UTC+2 is still 2025-11-30 in UTC.
    plus_two = timezone(timedelta(hours=2))
    assert market_rules("DE", datetime(2025, 12, 1, 1, 0, tzinfo=plus_two)).console_login is False
    assert market_rules("DE", datetime(2025, 12, 1, 3, 0, tzinfo=plus_two)).console_login is True


def test_eu_authorized_object_stays_off_after_launch() -> None:
    assert market_rules("DE", AFTER_EU_LAUNCH).authorized_object_choice is False


def test_sea_without_launch_date_has_no_console_login() -> None:
    far_future = datetime(2099, 1, 1, tzinfo=UTC)
    assert market_rules("MY", far_future).console_login is False
    assert market_rules("MY", far_future, sea_launch=None).console_login is False


@pytest.mark.parametrize(
    ("at", "console"),
    [
        (datetime(2026, 5, 31, 23, 59, tzinfo=UTC), False),
        (datetime(2026, 6, 1, 0, 0, tzinfo=UTC), True),
        (datetime(2027, 1, 1, tzinfo=UTC), True),
    ],
)
def test_sea_console_login_follows_configured_launch(at: datetime, console: bool) -> None:
    assert market_rules("VN", at, sea_launch=date(2026, 6, 1)).console_login is console


def test_sea_launch_date_does_not_affect_other_groups() -> None:
    launch = date(2020, 1, 1)
    assert market_rules("US-CB", AFTER_EU_LAUNCH, sea_launch=launch).console_login is False
    assert market_rules("JP", AFTER_EU_LAUNCH, sea_launch=launch).console_login is False


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        market_rules("UK", datetime(2026, 1, 1))


@pytest.mark.parametrize("code", ["US-L2L", "US-CB", "UK", "DE", "JP", "ZZ"])
def test_valid_market_codes(code: str) -> None:
    assert is_valid_market(code)
    assert validate_market(code) == code


@pytest.mark.parametrize(
    "code", ["US", "us-l2l", "uk", "USA", "U", "", "US-XX", "D3", " DE", "DE "]
)
def test_invalid_market_codes(code: str) -> None:
    assert not is_valid_market(code)
    with pytest.raises(ValueError, match="invalid market code"):
        validate_market(code)
    with pytest.raises(ValueError, match="invalid market code"):
        market_rules(code, AFTER_EU_LAUNCH)


def test_plain_us_has_no_link_region() -> None:
    # A US seller must be L2L or CB; guessing would pick the wrong rules.
    with pytest.raises(ValueError, match="invalid market code"):
        link_region("US")


@pytest.mark.parametrize(
    ("code", "known"),
    [
        ("US-L2L", True),
        ("US-CB", True),
        ("UK", True),
        ("GB", True),
        ("DE", True),
        ("SG", True),
        ("JP", False),
        ("BR", False),
        ("US", False),
    ],
)
def test_is_known_market(code: str, known: bool) -> None:
    assert is_known_market(code) is known


def test_latest_effective_row_wins() -> None:
    rows = (
        ConsoleRule(MarketGroup.UK, True),
        ConsoleRule(MarketGroup.UK, False, date(2030, 1, 1)),
        ConsoleRule(MarketGroup.UK, True, date(2031, 1, 1)),
    )
    assert console_login_allowed(MarketGroup.UK, date(2029, 12, 31), rows) is True
    assert console_login_allowed(MarketGroup.UK, date(2030, 1, 1), rows) is False
    assert console_login_allowed(MarketGroup.UK, date(2031, 1, 1), rows) is True


def test_group_without_rows_has_no_console_login() -> None:
    assert console_login_allowed(MarketGroup.UK, date(2026, 1, 1), ()) is False


def test_every_group_has_a_console_row() -> None:
    assert {rule.group for rule in CONSOLE_RULES} == set(MarketGroup)
