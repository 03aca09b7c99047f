from __future__ import annotations

import pytest

from tsp_auth.policy import (
    AREA_CODES,
    AREAS,
    AUTHORIZED_OBJECTS,
    DURATIONS,
    ITEM_CODES,
    ITEMS,
    OBJECT_CODES,
    ROLE_CODES,
    ROLES,
    SELLER_CENTER_AREAS,
    Entry,
    label_of,
)


def test_authorization_items() -> None:
    assert [e.code for e in ITEMS] == [
        "authorized_object",
        "shop_operation_ticket",
        "seller_center_access",
        "data_compass",
    ]
    assert frozenset(e.code for e in ITEMS) == ITEM_CODES


def test_authorized_objects() -> None:
    assert {"shop_and_tiktok", "shop", "tiktok_account"} == OBJECT_CODES


def test_permission_roles() -> None:
    assert {
        "full_access",
        "products",
        "orders",
        "ads_manager",
        "affiliate_center",
        "live",
        "marketing",
        "customer_service",
        "finance",
        "shop_settings",
        "analytics",
    } == ROLE_CODES


def test_seller_center_areas_are_the_roles_without_full_access() -> None:
    assert set(SELLER_CENTER_AREAS) == ROLE_CODES - {"full_access"}


def test_data_compass_areas() -> None:
    assert {
        "live",
        "growth_insights",
        "marketing",
        "product",
        "video",
        "traffic",
        "creator",
    } == AREA_CODES


def test_durations_with_labels() -> None:
    assert [(d.days, d.label) for d in DURATIONS] == [
        (30, "30 days"),
        (90, "90 days"),
        (180, "180 days"),
        (365, "365 days"),
    ]


@pytest.mark.parametrize("entries", [ITEMS, AUTHORIZED_OBJECTS, ROLES, AREAS])
def test_codes_are_unique_and_labelled(entries: tuple[Entry, ...]) -> None:
    codes = [e.code for e in entries]
    assert len(codes) == len(set(codes))
    assert all(e.label.strip() for e in entries)


@pytest.mark.parametrize(
    ("entries", "code", "label"),
    [
        (ROLES, "affiliate_center", "Affiliate Center"),
        (ROLES, "full_access", "Full access"),
        (AREAS, "growth_insights", "Growth & Insights"),
        (AUTHORIZED_OBJECTS, "shop_and_tiktok", "Shop & TikTok"),
        (ITEMS, "seller_center_access", "Seller center access"),
        (ROLES, "nope", None),
    ],
)
def test_label_of(entries: tuple[Entry, ...], code: str, label: str | None) -> None:
    assert label_of(entries, code) == label
