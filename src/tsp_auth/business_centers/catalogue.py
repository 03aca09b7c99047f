"""What a Business Center may ask a TikTok account for, and what its members may get: data,
not code (DESIGN §2 "Keep the catalogue … as data"). Pure functions only; no I/O.

Seed 003 "Step 1: Request TikTok account access", scope of access:
- "Ad delivery with existing posts": access profile info, access ad-enabled posts (the ad
  authorization toggle is on in TikTok), access public videos;
- "Ad delivery with LIVE videos": access profile info, access LIVE videos.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from types import MappingProxyType
from typing import Literal

AccessScope = Literal["ad_delivery_existing_posts", "ad_delivery_live_videos"]
# Seed 003 step 2: "select the level of permission to the TikTok account"; the seed names no
# levels, so these follow the Business Center's ad account levels. The level is recorded and
# reported with the member's permissions; what each level may do in Ads Manager is the ads
# side's rule (seed 003: Spark Ads also need admin or operator access to an ad account).
PermissionLevel = Literal["analyst", "operator", "admin"]


@dataclass(frozen=True, slots=True)
class ScopeSpec:
    code: str
    label: str
    grants: frozenset[str]  # the grant scopes (content permissions) it carries


CONTENT_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "profile_info": "Access profile info",
        "ad_enabled_posts": "Access posts enabled for ads (ad authorization turned on in TikTok)",
        "public_videos": "Access public videos",
        "live_videos": "Access LIVE videos",
    }
)
CONTENT_CODES = frozenset(CONTENT_LABELS)

ACCESS_SCOPES: Mapping[str, ScopeSpec] = MappingProxyType(
    {
        "ad_delivery_existing_posts": ScopeSpec(
            "ad_delivery_existing_posts",
            "Ad delivery with existing posts",
            frozenset({"profile_info", "ad_enabled_posts", "public_videos"}),
        ),
        "ad_delivery_live_videos": ScopeSpec(
            "ad_delivery_live_videos",
            "Ad delivery with LIVE videos",
            frozenset({"profile_info", "live_videos"}),
        ),
    }
)

# How long the QR code of a request may be scanned. The seed gives no figure; a day lets the
# admin send the QR card to the owner and the owner answer, and keeps a leaked card short-lived.
ACCESS_REQUEST_TTL = timedelta(hours=24)


def scope_grants(scope: str) -> frozenset[str]:
    """The grant scopes an approved request of ``scope`` gives; KeyError for an unknown one."""
    return ACCESS_SCOPES[scope].grants


def effective_permissions(
    business_center: frozenset[str] | None, linkage: frozenset[str] | None
) -> frozenset[str]:
    """Seed 003: a TikTok For Business user's permissions on a linked TikTok account are "all
    the authorizations brought by account linkage, plus the access given by Business Center";
    a user the BC gave nothing keeps the linkage's, unaffected."""
    return (business_center or frozenset()) | (linkage or frozenset())
