"""seed 002 US L2L: the authorized object bounds the action table (pure, no database)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from tsp_auth.policy import ACTIONS, GrantFacts, Reason, check_login, decide_action
from tsp_auth.policy.catalogue import AREA_REACHES, ROLE_REACHES, SHOP, TIKTOK_ACCOUNT

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def grant(authorized_object: str | None) -> GrantFacts:
    return GrantFacts(
        status="active",
        expires_at=AT + timedelta(days=30),
        items=frozenset({"seller_center_access", "data_compass", "shop_operation_ticket"}),
        roles=frozenset({"full_access"}),
        areas=frozenset({"live", "video", "marketing"}),
        market="US-L2L",
        service_valid=True,
        authorized_object=authorized_object,
    )


def test_every_action_names_the_object_it_reaches() -> None:
    assert {need.reaches for need in ACTIONS.values()} == {SHOP, TIKTOK_ACCOUNT}
    assert ACTIONS["seller_center.live"].reaches == ROLE_REACHES["live"] == TIKTOK_ACCOUNT
    assert ACTIONS["data_compass.video"].reaches == AREA_REACHES["video"] == TIKTOK_ACCOUNT
    assert ACTIONS["creator_im.send"].reaches == SHOP
    assert ACTIONS["ticket.create"].reaches == SHOP


@pytest.mark.parametrize(
    ("obj", "action", "reason"),
    [
        ("shop", "seller_center.orders", Reason.OK),
        ("shop", "seller_center.live", Reason.OBJECT_NOT_AUTHORIZED),
        ("shop", "data_compass.video", Reason.OBJECT_NOT_AUTHORIZED),
        ("tiktok_account", "seller_center.live", Reason.OK),
        ("tiktok_account", "data_compass.live", Reason.OK),
        ("tiktok_account", "ticket.create", Reason.OBJECT_NOT_AUTHORIZED),
        ("tiktok_account", "creator_im.read", Reason.OBJECT_NOT_AUTHORIZED),
        ("shop_and_tiktok", "seller_center.live", Reason.OK),
        ("shop_and_tiktok", "ticket.create", Reason.OK),
        (None, "data_compass.video", Reason.OK),
    ],
)
def test_the_object_bounds_each_action(obj: str | None, action: str, reason: str) -> None:
    assert decide_action(grant(obj), action, AT).reason == reason


@pytest.mark.parametrize("obj", ["shop", "tiktok_account", "shop_and_tiktok"])
def test_the_login_is_not_bound_to_an_object(obj: str) -> None:
    assert check_login(grant(obj), AT).allow


def test_a_missing_item_is_told_before_the_object() -> None:
    bare = dataclasses.replace(grant("tiktok_account"), items=frozenset())
    assert decide_action(bare, "ticket.create", AT).reason == Reason.ITEM_NOT_GRANTED
