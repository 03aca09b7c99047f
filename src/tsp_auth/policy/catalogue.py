"""Catalogues of what a seller can grant a partner: items, objects, roles, areas, durations.

Everything here is data. The consent page renders these tuples in order; the decision
functions look codes up in the derived frozensets. Adding a role or an area is a one-line change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Entry:
    """One catalogue entry: a stable code and the label the consent page shows."""

    code: str
    label: str


@dataclass(frozen=True, slots=True)
class Duration:
    """An access duration the seller may pick (seed 001: "select your partner access duration")."""

    days: int
    label: str


class Item(StrEnum):
    """Authorization items (seed 000/002: "Sellers can choose the following item to authorize")."""

    AUTHORIZED_OBJECT = "authorized_object"
    SHOP_OPERATION_TICKET = "shop_operation_ticket"
    SELLER_CENTER_ACCESS = "seller_center_access"
    DATA_COMPASS = "data_compass"


ITEMS: tuple[Entry, ...] = (
    # seed 000: "Authorized object: it could be Shop&TikTok, Shop, TikTok Account"
    Entry(Item.AUTHORIZED_OBJECT.value, "Authorized object"),
    # seed 000: "TSP can raise tickets on behalf of your shop"
    Entry(Item.SHOP_OPERATION_TICKET.value, "Shop operation ticket"),
    # seed 000: "TSP can access the specific authorized pages on the seller center"
    Entry(Item.SELLER_CENTER_ACCESS.value, "Seller center access"),
    # seed 000: "TSP can check related data based on authorization"
    Entry(Item.DATA_COMPASS.value, "Data compass"),
)

# seed 000/002: "Authorized object: it could be Shop&TikTok, Shop, TikTok Account"
AUTHORIZED_OBJECTS: tuple[Entry, ...] = (
    Entry("shop_and_tiktok", "Shop & TikTok"),
    Entry("shop", "Shop"),
    Entry("tiktok_account", "TikTok account"),
)

# Which objects an authorized object covers, so an edit to a smaller one is a narrowing.
OBJECT_COVERS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "shop_and_tiktok": frozenset({"shop_and_tiktok", "shop", "tiktok_account"}),
        "shop": frozenset({"shop"}),
        "tiktok_account": frozenset({"tiktok_account"}),
    }
)

# seed 000: partners serve "Shop Management, LIVE Management, Short Video Management": LIVE and
# short videos happen on the seller's TikTok account, everything else on the shop. Which object
# a seller-center role or a data-compass area acts on; a code not listed acts on the shop.
SHOP = "shop"
TIKTOK_ACCOUNT = "tiktok_account"
ROLE_REACHES: Mapping[str, str] = MappingProxyType({"live": TIKTOK_ACCOUNT})
AREA_REACHES: Mapping[str, str] = MappingProxyType(
    {"live": TIKTOK_ACCOUNT, "video": TIKTOK_ACCOUNT}
)

# seed 001: "You can choose to only provide them with full access or specific area access".
FULL_ACCESS = "full_access"
# DESIGN 2: "Creator IM needs the affiliate-center role (or full access)".
AFFILIATE_CENTER = "affiliate_center"

# Permission roles of seller center access (seed 001: "Authorized Seller Center permissions").
ROLES: tuple[Entry, ...] = (
    Entry(FULL_ACCESS, "Full access"),
    Entry("products", "Products"),
    Entry("orders", "Orders"),
    Entry("ads_manager", "Ads Manager"),
    Entry(AFFILIATE_CENTER, "Affiliate Center"),
    Entry("live", "LIVE"),
    Entry("marketing", "Marketing"),
    Entry("customer_service", "Customer service"),
    Entry("finance", "Finance"),
    Entry("shop_settings", "Shop settings"),
    # seed 001: "providing a TSP authorization to the Analytics section of Seller Center"
    Entry("analytics", "Analytics"),
)

# Data compass areas (seed 001: "specific areas of Data Analytics ... LIVE, Growth & Insights,
# or Marketing, etc").
AREAS: tuple[Entry, ...] = (
    Entry("live", "LIVE"),
    Entry("growth_insights", "Growth & Insights"),
    Entry("marketing", "Marketing"),
    Entry("product", "Product"),
    Entry("video", "Video"),
    Entry("traffic", "Traffic"),
    Entry("creator", "Creator"),
)

DURATIONS: tuple[Duration, ...] = (
    Duration(30, "30 days"),
    Duration(90, "90 days"),
    Duration(180, "180 days"),
    Duration(365, "365 days"),
)

ITEM_CODES: frozenset[str] = frozenset(entry.code for entry in ITEMS)
OBJECT_CODES: frozenset[str] = frozenset(entry.code for entry in AUTHORIZED_OBJECTS)
ROLE_CODES: frozenset[str] = frozenset(entry.code for entry in ROLES)
AREA_CODES: frozenset[str] = frozenset(entry.code for entry in AREAS)
DURATION_DAYS: frozenset[int] = frozenset(duration.days for duration in DURATIONS)

# The seller-center areas a role opens; full access is not an area, it covers all of them.
SELLER_CENTER_AREAS: tuple[str, ...] = tuple(e.code for e in ROLES if e.code != FULL_ACCESS)


def label_of(entries: tuple[Entry, ...], code: str) -> str | None:
    """The label for ``code`` in ``entries``, or None if the code is not catalogued."""
    return next((entry.label for entry in entries if entry.code == code), None)
