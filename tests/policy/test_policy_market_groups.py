"""Every row of the market table, and the dated rules on a host whose clock is not on UTC.

The codes are written out here, not read from the module: a code dropped from (or moved in) the
table must fail a test (docs/testing.md, survivors of the market table).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from tsp_auth.policy import MarketGroup, market_group, market_rules

# ISO 3166-1 alpha-2 codes of the 27 EU member states (seed 002 speaks of "the EU").
# fmt: off
EU_27 = (
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
)
# fmt: on
# seed 000 "Available Market": ID, MY, VN, SG, PH, TH.
SEA = ("ID", "MY", "VN", "SG", "PH", "TH")
# Neither EU nor anywhere else with a row: "other markets" (seed 002).
OTHERS = ("NO", "CH", "IS", "JP", "BR", "TR", "UA")


@pytest.mark.parametrize("market", EU_27)
def test_every_eu_member_state_is_in_the_eu_group(market: str) -> None:
    assert len(set(EU_27)) == 27
    assert market_group(market) is MarketGroup.EU
    # After the EU launch (seed 002: December 2025) each of them allows console login.
    assert market_rules(market, datetime(2026, 1, 1, tzinfo=UTC)).console_login is True


@pytest.mark.parametrize("market", SEA)
def test_every_sea_market_is_in_the_sea_group(market: str) -> None:
    assert market_group(market) is MarketGroup.SEA
    launched = market_rules(market, datetime(2026, 2, 1, tzinfo=UTC), sea_launch=date(2026, 1, 1))
    assert launched.console_login is True


@pytest.mark.parametrize("market", ["UK", "GB"])
def test_gb_is_the_uk_market(market: str) -> None:
    """ISO 3166 spells the United Kingdom GB; TikTok Shop calls the market UK (seed 000)."""
    rules = market_rules(market, datetime(2026, 1, 1, tzinfo=UTC))
    assert rules.group is MarketGroup.UK
    assert rules.console_login is True


@pytest.mark.parametrize("market", OTHERS)
def test_a_european_market_outside_the_eu_is_another_market(market: str) -> None:
    rules = market_rules(market, datetime(2026, 1, 1, tzinfo=UTC))
    assert (rules.group, rules.console_login) == (MarketGroup.OTHER, False)


@pytest.fixture
def host_far_east_of_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local zone is UTC+14 (Line Islands): ``astimezone()`` without a zone
    lands a day ahead of UTC for most of the day."""
    monkeypatch.setenv("TZ", "LINT-14")  # POSIX: the offset's sign is inverted
    time.tzset()
    assert time.localtime().tm_gmtoff == 14 * 3600
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("host_far_east_of_utc")
@pytest.mark.parametrize(
    ("market", "at", "sea_launch", "console"),
    [
        # The EU launch day is a UTC day: on Nov 30 at noon UTC it is Dec 1 in UTC+14.
        ("DE", datetime(2025, 11, 30, 12, 0, tzinfo=UTC), None, False),
        ("DE", datetime(2025, 12, 1, 0, 0, tzinfo=UTC), None, True),
        ("SG", datetime(2026, 5, 31, 12, 0, tzinfo=UTC), date(2026, 6, 1), False),
        ("SG", datetime(2026, 6, 1, 0, 0, tzinfo=UTC), date(2026, 6, 1), True),
    ],
)
def test_dated_rules_follow_the_utc_day_whatever_the_hosts_zone(
    market: str, at: datetime, sea_launch: date | None, console: bool
) -> None:
    assert market_rules(market, at, sea_launch=sea_launch).console_login is console
