"""Exact boundaries of the policy: a subset that equals the whole, a code no table knows, the
levels of a Business Center member (docs/testing.md, survivors of the mutation run)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, tzinfo

import pytest

from tsp_auth.policy import (
    AREA_CODES,
    ROLE_CODES,
    BcMemberFacts,
    GrantFacts,
    Offer,
    Reason,
    Selection,
    ServiceFacts,
    Validity,
    authorized_object_of,
    check_edit,
    check_selection,
    check_service_available,
    decide_action,
    decide_bc_action,
    is_narrowing,
    market_rules,
)

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SCA, DC, AO = "seller_center_access", "data_compass", "authorized_object"
EVERYTHING = Offer(
    qualified=(AO, "shop_operation_ticket", SCA, DC),
    items=(AO, "shop_operation_ticket", SCA, DC),
    roles=tuple(sorted(ROLE_CODES)),
    areas=tuple(sorted(AREA_CODES)),
    authorized_objects=("shop_and_tiktok", "shop", "tiktok_account"),
    durations=(30, 90, 180, 365),
)


def _selection(items: set[str], **values: object) -> Selection:
    fields: dict[str, object] = {
        "roles": frozenset(),
        "areas": frozenset(),
        "authorized_object": None,
        "duration_days": 90,
    }
    fields.update(values)
    return Selection(items=frozenset(items), **fields)  # type: ignore[arg-type]


def _grant(**values: object) -> GrantFacts:
    fields: dict[str, object] = {
        "status": "active",
        "expires_at": AT + timedelta(days=30),
        "items": frozenset({SCA, DC}),
        "roles": frozenset({"products"}),
        "areas": frozenset({"live"}),
        "market": "UK",
        "service_valid": True,
    }
    fields.update(values)
    return GrantFacts(**fields)  # type: ignore[arg-type]


# Selections ------------------------------------------------------------------------------------


def test_a_seller_may_pick_every_data_compass_area() -> None:
    """seed 001: any "specific areas of Data Analytics", all of them included."""
    every_area = _selection({DC}, areas=AREA_CODES)
    assert check_selection(every_area, EVERYTHING).allow


def test_an_item_withheld_without_a_market_reason_is_not_qualified() -> None:
    """Only seller center access and the authorized object have a market reason of their own."""
    withheld = dataclasses.replace(EVERYTHING, items=(AO, SCA))
    decision = check_selection(_selection({DC}, areas=frozenset({"live"})), withheld)
    assert (decision.allow, decision.reason) == (False, Reason.ITEM_NOT_QUALIFIED)


def test_an_edit_to_an_unknown_item_says_so() -> None:
    current = _selection({DC}, areas=frozenset({"live"}))
    decision = check_edit(current, _selection({DC, "coupons"}), EVERYTHING, service_valid=True)
    assert (decision.allow, decision.reason) == (False, Reason.UNKNOWN_ITEM)


def test_full_access_narrows_to_every_catalogued_role() -> None:
    full = _selection({SCA}, roles=frozenset({"full_access"}))
    assert is_narrowing(full, _selection({SCA}, roles=ROLE_CODES))
    assert not is_narrowing(full, _selection({SCA}, roles=ROLE_CODES | {"payroll"}))


def test_an_uncatalogued_authorized_object_covers_nothing() -> None:
    legacy = _selection({AO}, authorized_object="legacy_object")
    assert not is_narrowing(legacy, _selection({AO}, authorized_object="shop"))
    facts = _grant(items=frozenset({SCA, AO}), authorized_object="legacy_object")
    decision = decide_action(facts, "seller_center.products", AT)
    assert (decision.allow, decision.reason) == (False, Reason.OBJECT_NOT_AUTHORIZED)


def test_widening_other_items_of_a_grant_with_tsp_access_needs_no_valid_service() -> None:
    """seed 000 bars only *TSP access* from an invalid service; adding data compass to a grant
    whose seller center roles stay the same is checked against the offer alone."""
    current = _selection({SCA}, roles=frozenset({"products"}))
    wider = _selection({SCA, DC}, roles=frozenset({"products"}), areas=frozenset({"live"}))
    assert check_edit(current, wider, EVERYTHING, service_valid=False).allow


def test_the_authorized_object_bounds_a_grant_only_while_it_holds_that_item() -> None:
    assert authorized_object_of(frozenset({AO, SCA}), "shop") == "shop"
    assert authorized_object_of(frozenset({SCA}), "shop") is None


# Decisions -------------------------------------------------------------------------------------


def test_a_console_action_in_sea_follows_the_configured_launch() -> None:
    facts = _grant(market="SG")
    launched = decide_action(facts, "seller_center.products", AT, sea_launch=date(2026, 1, 1))
    assert launched.allow
    before = decide_action(facts, "seller_center.products", AT)
    assert (before.allow, before.reason) == (False, Reason.MARKET_DISALLOWS_CONSOLE_ACCESS)


class _NoOffset(tzinfo):
    """A tzinfo that cannot say its offset: the datetime is not really aware."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None


def test_a_datetime_whose_zone_has_no_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        market_rules("UK", datetime(2026, 1, 1, tzinfo=_NoOffset()))


# Business Center (seed 003) ----------------------------------------------------------------------

MEMBER = BcMemberFacts(
    is_admin=False,
    grant_scopes=frozenset({"ad_enabled_posts"}),
    level="operator",
    ad_account_named=True,
    ad_account_role="operator",
)


def test_a_grant_with_exactly_the_scopes_an_action_needs_allows_it() -> None:
    assert decide_bc_action("spark_ads.pull_video", MEMBER).allow


@pytest.mark.parametrize("level", ["analyst", "operator", "admin"])
def test_an_assigned_standard_member_may_view_the_account_at_any_level(level: str) -> None:
    """seed 003: standard members see "Only the TikTok accounts assigned to them"."""
    member = dataclasses.replace(MEMBER, level=level, ad_account_named=False)
    assert decide_bc_action("tiktok_account.view", member).allow


def test_an_unknown_level_views_nothing() -> None:
    member = dataclasses.replace(MEMBER, level="owner")
    decision = decide_bc_action("tiktok_account.view", member)
    assert (decision.allow, decision.reason) == (False, Reason.PERMISSION_LEVEL_TOO_LOW)


def test_an_admin_level_member_may_pull_video() -> None:
    """The acting levels are operator and admin, as on the ad account (seed 003)."""
    assert decide_bc_action(
        "spark_ads.pull_video", dataclasses.replace(MEMBER, level="admin")
    ).allow


# Defaults and reach ----------------------------------------------------------------------------


def test_a_shop_only_grant_does_not_reach_the_live_data_compass_area() -> None:
    """LIVE happens on the seller's TikTok account (seed 000), so its Data Compass area does."""
    facts = _grant(market="US-L2L", items=frozenset({DC, AO}), authorized_object="shop")
    decision = decide_action(facts, "data_compass.live", AT)
    assert (decision.allow, decision.reason) == (False, Reason.OBJECT_NOT_AUTHORIZED)


def test_a_custom_service_offered_to_nobody_yet_is_not_available() -> None:
    custom = ServiceFacts(
        service_id="svc-1",
        partner_id="ptn-1",
        visibility="custom",
        valid=True,
        markets=frozenset({"UK"}),
        qualified_items=frozenset({DC}),
    )
    decision = check_service_available(
        custom, seller_id="slr-1", seller_market="UK", already_authorized=frozenset()
    )
    assert (decision.allow, decision.reason) == (False, Reason.SERVICE_NOT_OFFERED)


def test_a_new_service_is_valid() -> None:
    assert Validity().valid is True
