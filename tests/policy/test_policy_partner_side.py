"""policy.partner_side: decisions for a partner member or a partner app outside a console
session, on a data-only grant (seed 002: US CB and other markets) and others."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from tsp_auth.policy import GrantFacts, Reason, decide_for_app, decide_for_member

AT = datetime(2026, 3, 1, tzinfo=UTC)
DATA_ONLY = GrantFacts(
    status="active",
    expires_at=AT + timedelta(days=30),
    items=frozenset({"data_compass", "shop_operation_ticket"}),
    roles=frozenset(),
    areas=frozenset({"live"}),
    market="US-CB",
    service_valid=True,
)
CANCELLED = dataclasses.replace(DATA_ONLY, status="cancelled")
APP_SCOPES = frozenset({"partner.data_compass.read"})


def _member(grants: list[GrantFacts], action: str, **who: object) -> tuple[bool, str, int | None]:
    facts = {"is_admin": False, "assigned": True, "assigned_roles": None, **who}
    answer = decide_for_member(grants, action, AT, **facts)  # type: ignore[arg-type]
    return answer.decision.allow, answer.decision.reason, answer.grant_index


@pytest.mark.parametrize(
    ("grants", "action", "who", "expected"),
    [
        ([DATA_ONLY], "data_compass.live", {}, (True, "ok", 0)),
        ([CANCELLED, DATA_ONLY], "data_compass.live", {}, (True, "ok", 1)),
        ([DATA_ONLY], "ticket.create", {}, (True, "ok", 0)),
        ([DATA_ONLY], "data_compass.video", {}, (False, "area_not_granted", None)),
        ([CANCELLED, DATA_ONLY], "data_compass.video", {}, (False, "area_not_granted", None)),
        ([CANCELLED], "data_compass.live", {}, (False, "grant_not_active", None)),
        ([], "data_compass.live", {}, (False, "service_not_authorized", None)),
        ([DATA_ONLY], "data_compass.live", {"assigned": False}, (False, "not_assigned", None)),
        (
            [DATA_ONLY],
            "data_compass.live",
            {"assigned": False, "is_admin": True},
            (True, "ok", 0),
        ),
        ([DATA_ONLY], "seller_center.orders", {}, (False, "console_session_required", None)),
        ([DATA_ONLY], "creator_im.send", {}, (False, "console_session_required", None)),
        ([DATA_ONLY], "shop.delete", {}, (False, "unknown_action", None)),
    ],
)
def test_member_decisions(
    grants: list[GrantFacts], action: str, who: dict[str, object], expected: tuple[object, ...]
) -> None:
    assert _member(grants, action, **who) == expected


@pytest.mark.parametrize(
    ("grant", "scopes", "action", "reason"),
    [
        (DATA_ONLY, APP_SCOPES, "data_compass.live", Reason.OK),
        (dataclasses.replace(DATA_ONLY, market="JP"), APP_SCOPES, "data_compass.live", Reason.OK),
        (
            DATA_ONLY,
            frozenset({"partner.affiliate.read"}),
            "data_compass.live",
            Reason.SCOPE_NOT_GRANTED,
        ),
        (DATA_ONLY, APP_SCOPES, "ticket.create", Reason.SCOPE_NOT_GRANTED),
        (DATA_ONLY, frozenset({"partner.ticket.write"}), "ticket.create", Reason.OK),
        (DATA_ONLY, APP_SCOPES, "data_compass.marketing", Reason.AREA_NOT_GRANTED),
        (CANCELLED, APP_SCOPES, "data_compass.live", Reason.GRANT_NOT_ACTIVE),
        (DATA_ONLY, APP_SCOPES, "seller_center.orders", Reason.CONSOLE_SESSION_REQUIRED),
    ],
)
def test_app_decisions(grant: GrantFacts, scopes: frozenset[str], action: str, reason: str) -> None:
    decision = decide_for_app(grant, scopes, action, AT)
    assert (decision.allow, decision.reason) == (reason == Reason.OK, reason)
