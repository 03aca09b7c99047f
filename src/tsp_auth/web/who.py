"""Who is signed in, as every page's header says it ("signed in as … (sign out)")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from tsp_auth.identity.callers import Caller

# What each kind of account is called on the pages (DESIGN §2, seeds 000/003/004).
ROLE_NAMES: Mapping[tuple[str, str], str] = MappingProxyType(
    {
        ("seller", "main"): "seller main account",
        ("seller", "sub"): "seller sub-account",
        ("partner", "admin"): "partner admin",
        ("partner", "member"): "partner member",
        ("business_center", "admin"): "Business Center admin",
        ("business_center", "member"): "Business Center member",
        ("tiktok", "owner"): "TikTok account owner",
        ("operator", "operator"): "platform operator",
    }
)


@dataclass(frozen=True, slots=True)
class Who:
    name: str
    what: str


def who_of(caller: Caller) -> Who:
    return Who(caller.name, ROLE_NAMES.get((caller.kind, caller.role), caller.kind))
