"""Market rules: what TSP access offers in each market, as dated data rows.

DESIGN 2 "Market rules": one table drives the consent page, the API and the checks. Console
login is a list of dated rows so a market can switch on at a date without a code change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from typing import Literal

Region = Literal["US", "ROW"]


class MarketGroup(StrEnum):
    US_L2L = "US_L2L"
    US_CB = "US_CB"
    UK = "UK"
    EU = "EU"
    SEA = "SEA"
    OTHER = "OTHER"


# A US seller is either local-to-local or cross-border, and the two differ (seed 002), so a
# bare "US" says too little to decide anything.
_MARKET_CODE = re.compile(r"(?:US-L2L|US-CB|(?!US)[A-Z]{2})")

# ISO 3166-1 alpha-2 codes of the EU-27; seed 002 speaks of "the EU" as one market.
# fmt: off
EU_MARKETS: frozenset[str] = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
})
# fmt: on
# seed 000 "Available Market": ID, MY, VN, SG, PH, TH.
SEA_MARKETS: frozenset[str] = frozenset({"ID", "MY", "VN", "SG", "PH", "TH"})

MARKET_GROUPS: Mapping[str, MarketGroup] = MappingProxyType(
    {
        "US-L2L": MarketGroup.US_L2L,
        "US-CB": MarketGroup.US_CB,
        "UK": MarketGroup.UK,
        # ISO 3166 spells the United Kingdom "GB"; TikTok Shop calls the market "UK".
        "GB": MarketGroup.UK,
        **dict.fromkeys(EU_MARKETS, MarketGroup.EU),
        **dict.fromkeys(SEA_MARKETS, MarketGroup.SEA),
    }
)


@dataclass(frozen=True, slots=True)
class GroupProfile:
    """The undated part of a market group's rules."""

    authorized_object_choice: bool
    data_compass: bool
    host: Region


PROFILES: Mapping[MarketGroup, GroupProfile] = MappingProxyType(
    {
        # seed 002 "For US L2L": the authorized object is offered.
        MarketGroup.US_L2L: GroupProfile(True, True, "US"),
        # seed 002 "For US CB and other markets": only data compass.
        MarketGroup.US_CB: GroupProfile(False, True, "US"),
        # seed 002 "For EU + SEA": "there is no Authorized object"; UK follows the same page.
        MarketGroup.UK: GroupProfile(False, True, "ROW"),
        MarketGroup.EU: GroupProfile(False, True, "ROW"),
        MarketGroup.SEA: GroupProfile(False, True, "ROW"),
        MarketGroup.OTHER: GroupProfile(False, True, "ROW"),
    }
)


@dataclass(frozen=True, slots=True)
class ConsoleRule:
    """Whether TSP access login is available in a group from ``effective_from`` (None = always)."""

    group: MarketGroup
    allowed: bool
    effective_from: date | None = None


CONSOLE_RULES: tuple[ConsoleRule, ...] = (
    # seed 000 "Available Market": US L2L, UK, EU, ID, MY, VN, SG, PH, TH.
    ConsoleRule(MarketGroup.US_L2L, True),
    # seed 000: "not available in US CB"; seed 002: US CB has no permission-role authorization.
    ConsoleRule(MarketGroup.US_CB, False),
    ConsoleRule(MarketGroup.UK, True),
    # seed 002: "TSP access has been launched in the EU on December, 2025".
    ConsoleRule(MarketGroup.EU, False),
    ConsoleRule(MarketGroup.EU, True, date(2025, 12, 1)),
    # seed 002: "SEA will go live subsequently"; the launch date is configuration.
    ConsoleRule(MarketGroup.SEA, False),
    # seed 002 "other markets": "unable to log in via TSP access".
    ConsoleRule(MarketGroup.OTHER, False),
)


@dataclass(frozen=True, slots=True)
class MarketRules:
    """What TSP access offers in one market at one moment."""

    market: str
    group: MarketGroup
    console_login: bool
    authorized_object_choice: bool
    data_compass: bool
    host: Region


def is_valid_market(code: str) -> bool:
    """Whether ``code`` is a market code: two upper-case letters, or ``US-L2L`` / ``US-CB``."""
    return _MARKET_CODE.fullmatch(code) is not None


def validate_market(code: str) -> str:
    """Return ``code`` if it is a valid market code, else raise ValueError."""
    if not is_valid_market(code):
        raise ValueError(f"invalid market code {code!r}: use US-L2L, US-CB or a 2-letter code")
    return code


def is_known_market(code: str) -> bool:
    """Whether ``code`` has its own row in the table (not merely an "other market")."""
    return code in MARKET_GROUPS


def market_group(code: str) -> MarketGroup:
    """The group of a market; any valid code without its own row is an "other market"."""
    return MARKET_GROUPS.get(validate_market(code), MarketGroup.OTHER)


def link_region(market: str) -> Region:
    """Which host serves authorization links for sellers of ``market`` (DESIGN 3)."""
    return PROFILES[market_group(market)].host


def console_rules(sea_launch: date | None = None) -> tuple[ConsoleRule, ...]:
    """The console-login rows, with the configured SEA launch added when there is one."""
    if sea_launch is None:
        return CONSOLE_RULES
    return (*CONSOLE_RULES, ConsoleRule(MarketGroup.SEA, True, sea_launch))


def console_login_allowed(group: MarketGroup, day: date, rules: Iterable[ConsoleRule]) -> bool:
    """The latest row of ``group`` in effect on ``day`` decides; no row means no login."""
    in_effect = [
        rule
        for rule in rules
        if rule.group == group and (rule.effective_from is None or rule.effective_from <= day)
    ]
    if not in_effect:
        return False
    latest = max(in_effect, key=lambda rule: rule.effective_from or date.min)
    return latest.allowed


def utc_day(at: datetime) -> date:
    """The UTC calendar day of an aware datetime; naive ones are refused, not guessed."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("policy needs a timezone-aware datetime")
    return at.astimezone(UTC).date()


def market_rules(market: str, at: datetime, *, sea_launch: date | None = None) -> MarketRules:
    """Evaluate the market table for ``market`` at ``at``. Pure: no clock, no settings."""
    return _rules_on(market, utc_day(at), sea_launch)


@lru_cache(maxsize=1024)
def _rules_on(market: str, day: date, sea_launch: date | None) -> MarketRules:
    """The rules change by the day only (effective dates), so each day is worked out once."""
    group = market_group(market)
    profile = PROFILES[group]
    return MarketRules(
        market=market,
        group=group,
        console_login=console_login_allowed(group, day, console_rules(sea_launch)),
        authorized_object_choice=profile.authorized_object_choice,
        data_compass=profile.data_compass,
        host=profile.host,
    )
