"""``policy.business_center``: every reason reachable by one minimal scenario (seed 003)."""

from __future__ import annotations

import dataclasses

import pytest

from tsp_auth.policy import BC_ACTIONS, BcMemberFacts, Reason, decide_bc_action

POSTS = frozenset({"profile_info", "ad_enabled_posts", "public_videos"})
ABLE = BcMemberFacts(
    is_admin=False,
    grant_scopes=POSTS,
    level="operator",
    ad_account_named=True,
    ad_account_role="operator",
)


def test_an_able_member_may_pull_video() -> None:
    assert decide_bc_action("spark_ads.pull_video", ABLE).allow


@pytest.mark.parametrize(
    ("action", "change", "reason"),
    [
        ("spark_ads.boost", {}, Reason.UNKNOWN_ACTION),
        ("spark_ads.pull_video", {"grant_scopes": None}, Reason.TIKTOK_ACCOUNT_NOT_AUTHORIZED),
        ("spark_ads.pull_video", {"level": None, "is_admin": True}, Reason.NOT_ASSIGNED),
        ("spark_ads.pull_video", {"level": "analyst"}, Reason.PERMISSION_LEVEL_TOO_LOW),
        (
            "spark_ads.pull_video",
            {"grant_scopes": frozenset({"profile_info", "live_videos"})},
            Reason.SCOPE_NOT_GRANTED,
        ),
        (
            "spark_ads.pull_video",
            {"ad_account_named": False, "ad_account_role": None},
            Reason.AD_ACCOUNT_REQUIRED,
        ),
        ("spark_ads.pull_video", {"ad_account_role": "analyst"}, Reason.AD_ACCOUNT_ROLE_REQUIRED),
        ("tiktok_account.view", {"level": None}, Reason.NOT_ASSIGNED),
    ],
)
def test_each_denial_has_its_reason(action: str, change: dict[str, object], reason: str) -> None:
    decision = decide_bc_action(action, dataclasses.replace(ABLE, **change))  # type: ignore[arg-type]
    assert (decision.allow, decision.reason) == (False, reason)


def test_admins_view_without_assignment_members_need_one() -> None:
    unassigned = dataclasses.replace(ABLE, level=None)
    assert decide_bc_action(
        "tiktok_account.view", dataclasses.replace(unassigned, is_admin=True)
    ).allow
    assert not decide_bc_action("tiktok_account.view", unassigned).allow


def test_the_rules_are_data() -> None:
    pull = BC_ACTIONS["spark_ads.pull_video"]
    assert pull.ad_account_roles == {"admin", "operator"} and "ad_enabled_posts" in pull.content
