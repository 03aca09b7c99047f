"""What a Business Center member may do with a TikTok account the BC holds (seed 003).

Rules are data (``BC_ACTIONS``), decided by one pure function over facts the caller loaded:
no I/O, no clock. Seed 003 "User Roles & Access":

- "View authorized TikTok accounts in Business Center": admins yes; standard members "Only the
  TikTok accounts assigned to them".
- "Use TikTok account identity and content for Spark Ads": "Admins and Standard Members can
  only use 'pull video' (using ad-enabled, existing posts) for Spark Ads creation when they
  have: received permission to use the TikTok account via Business Center; Admin or Operator
  level access an ad account".

The seed names no levels of permission on a TikTok account (step 2: "select the level of
permission"); we use the Business Center's ad account levels, where an analyst only looks.
So "pull video" needs the member's level to be operator or admin, as on the ad account.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from tsp_auth.policy.reasons import Reason
from tsp_auth.policy.verdict import ALLOWED, Decision

ACTING_LEVELS = frozenset({"operator", "admin"})
ALL_LEVELS = frozenset({"analyst", "operator", "admin"})


@dataclass(frozen=True, slots=True)
class BcRequirement:
    """``content``: the grant must carry all of these (seed 003 step 1 scopes of access).
    ``levels``: the member's assigned level on the TikTok account must be one of these.
    ``admin_needs_no_assignment``: a BC admin may do it without being assigned.
    ``ad_account_roles``: non-empty: the member needs one of these roles on the ad account."""

    content: frozenset[str] = frozenset()
    levels: frozenset[str] = ALL_LEVELS
    admin_needs_no_assignment: bool = False
    ad_account_roles: frozenset[str] = frozenset()


BC_ACTIONS: Mapping[str, BcRequirement] = MappingProxyType(
    {
        # seed 003: "View authorized TikTok accounts": admins all, members those assigned.
        "tiktok_account.view": BcRequirement(admin_needs_no_assignment=True),
        # seed 003: "pull video" uses ad-enabled existing posts; admins need permission too.
        "spark_ads.pull_video": BcRequirement(
            content=frozenset({"ad_enabled_posts"}),
            levels=ACTING_LEVELS,
            ad_account_roles=frozenset({"admin", "operator"}),
        ),
    }
)


@dataclass(frozen=True, slots=True)
class BcMemberFacts:
    """What one decision knows: ``grant_scopes`` None when the BC holds no active grant of the
    TikTok account; ``level`` None when the member is not assigned to it; ``ad_account_role``
    None when no ad account was named or the member has no role on it."""

    is_admin: bool
    grant_scopes: frozenset[str] | None
    level: str | None
    ad_account_named: bool
    ad_account_role: str | None


def _check_assignment(rule: BcRequirement, facts: BcMemberFacts) -> Decision:
    if facts.level is None:
        if facts.is_admin and rule.admin_needs_no_assignment:
            return ALLOWED
        return Decision.denied(Reason.NOT_ASSIGNED)
    if facts.level not in rule.levels:
        return Decision.denied(Reason.PERMISSION_LEVEL_TOO_LOW)
    return ALLOWED


def _check_ad_account(rule: BcRequirement, facts: BcMemberFacts) -> Decision:
    if not rule.ad_account_roles:
        return ALLOWED
    if not facts.ad_account_named:
        return Decision.denied(Reason.AD_ACCOUNT_REQUIRED)
    if facts.ad_account_role not in rule.ad_account_roles:
        return Decision.denied(Reason.AD_ACCOUNT_ROLE_REQUIRED)
    return ALLOWED


def decide_bc_action(action: str, facts: BcMemberFacts) -> Decision:
    """May the member do ``action`` with the TikTok account? Checks in the seed's order:
    the BC's access, the member's permission on the account, its content, the ad account."""
    rule = BC_ACTIONS.get(action)
    if rule is None:
        return Decision.denied(Reason.UNKNOWN_ACTION)
    if facts.grant_scopes is None:
        return Decision.denied(Reason.TIKTOK_ACCOUNT_NOT_AUTHORIZED)
    assigned = _check_assignment(rule, facts)
    if not assigned.allow:
        return assigned
    if not rule.content <= facts.grant_scopes:
        return Decision.denied(Reason.SCOPE_NOT_GRANTED)
    return _check_ad_account(rule, facts)
