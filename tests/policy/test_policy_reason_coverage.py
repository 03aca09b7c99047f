"""Every reason code is reachable from the public API, each by one minimal scenario."""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tsp_auth import policy
from tsp_auth.policy import (
    Authority,
    Decision,
    GrantFacts,
    Offer,
    Reason,
    Selection,
    ServiceFacts,
    Validity,
    change_validity,
    check_assignment,
    check_consenter,
    check_edit,
    check_grant_editable,
    check_login,
    check_proposal_market,
    check_proposal_open,
    check_selection,
    check_service_available,
    check_terms,
    check_tsp_access_request,
    check_tsp_access_selection,
    decide_action,
    decide_for_app,
    market_rules,
    offer_for,
)

# Business Center decisions and client profiles (issue 23) have their own tests.
GRANT_POLICY_EXCLUDED = {"__init__.py", "reasons.py", "business_center.py", "client_profiles.py"}
AT = datetime(2026, 3, 1, tzinfo=UTC)
LATER = AT + timedelta(days=30)
ALL_ITEMS = frozenset(
    {"authorized_object", "shop_operation_ticket", "seller_center_access", "data_compass"}
)
SERVICE = ServiceFacts(
    service_id="svc",
    partner_id="p",
    visibility="public",
    valid=True,
    markets=frozenset({"US-L2L"}),
    qualified_items=ALL_ITEMS,
    offered_to=frozenset(),
)
GRANT = GrantFacts(
    status="active",
    expires_at=LATER,
    items=frozenset({"seller_center_access"}),
    roles=frozenset({"orders"}),
    areas=frozenset(),
    market="US-L2L",
    service_valid=True,
)


def _offer(market: str = "US-L2L", items: frozenset[str] = ALL_ITEMS) -> Offer:
    facts = dataclasses.replace(SERVICE, markets=frozenset({market}), qualified_items=items)
    return offer_for(facts, market_rules(market, AT))


def _sel(
    *items: str, roles: str = "", areas: str = "", obj: str | None = None, days: int = 30
) -> Selection:
    return Selection(
        frozenset(items), frozenset(roles.split()), frozenset(areas.split()), obj, days
    )


def _available(**changes: Any) -> Decision:
    facts = dataclasses.replace(SERVICE, **changes)
    return check_service_available(
        facts, seller_id="s1", seller_market="US-L2L", already_authorized=frozenset({"done"})
    )


def _select(
    selection: Selection, market: str = "US-L2L", items: frozenset[str] = ALL_ITEMS
) -> Decision:
    return check_selection(selection, _offer(market, items))


def _act(action: str, **changes: Any) -> Decision:
    facts = dataclasses.replace(GRANT, **changes)
    return decide_action(facts, action, AT)


SCENARIOS: dict[Reason, Callable[[], Decision]] = {
    Reason.NOT_MAIN_ACCOUNT: lambda: check_consenter(is_main_account=False),
    Reason.SERVICE_NOT_VALID: lambda: _available(valid=False),
    Reason.SERVICE_INVALIDATED_BY_PLATFORM: lambda: (
        change_validity(Validity(platform_invalidated=True), Authority.PARTNER, True).decision
    ),
    Reason.SERVICE_NOT_IN_MARKET: lambda: _available(markets=frozenset({"UK"})),
    Reason.SERVICE_NOT_OFFERED: lambda: _available(visibility="custom"),
    Reason.ALREADY_AUTHORIZED: lambda: _available(service_id="done"),
    Reason.TERMS_NOT_ACCEPTED: lambda: check_terms(None, "v1"),
    Reason.BINDING_CANCELLED: lambda: check_grant_editable("cancelled", LATER, AT),
    Reason.ITEM_NOT_QUALIFIED: lambda: _select(
        _sel("data_compass", areas="live"), items=frozenset()
    ),
    Reason.MARKET_DISALLOWS_CONSOLE_ACCESS: lambda: _select(
        _sel("seller_center_access", roles="orders"), "US-CB"
    ),
    Reason.MARKET_DISALLOWS_AUTHORIZED_OBJECT: lambda: _select(
        _sel("authorized_object", obj="shop"), "UK"
    ),
    Reason.UNKNOWN_ITEM: lambda: _select(_sel("everything")),
    Reason.UNKNOWN_ROLE: lambda: _select(_sel("seller_center_access", roles="root")),
    Reason.UNKNOWN_AREA: lambda: _select(_sel("data_compass", areas="weather")),
    Reason.UNKNOWN_DURATION: lambda: _select(_sel("shop_operation_ticket", days=7)),
    Reason.ITEMS_REQUIRED: lambda: _select(_sel()),
    Reason.ITEM_NOT_REQUESTED: lambda: check_tsp_access_selection(
        _sel("seller_center_access", "data_compass", roles="orders", areas="live"), _offer()
    ),
    Reason.SERVICE_NOT_AUTHORIZED: lambda: check_tsp_access_request(
        SERVICE, market_rules("US-L2L", AT), authorized=False
    ),
    Reason.OBJECT_NOT_AUTHORIZED: lambda: _act(
        "seller_center.live",
        items=frozenset({"authorized_object", "seller_center_access"}),
        roles=frozenset({"live"}),
        authorized_object="shop",
    ),
    Reason.UNKNOWN_AUTHORIZED_OBJECT: lambda: _select(_sel("authorized_object", obj="car")),
    Reason.ROLES_REQUIRED: lambda: _select(_sel("seller_center_access")),
    Reason.FULL_ACCESS_EXCLUSIVE: lambda: _select(
        _sel("seller_center_access", roles="full_access live")
    ),
    Reason.AREAS_REQUIRED: lambda: _select(_sel("data_compass")),
    Reason.AUTHORIZED_OBJECT_REQUIRED: lambda: _select(_sel("authorized_object")),
    Reason.GRANT_NOT_ACTIVE: lambda: check_login(
        dataclasses.replace(GRANT, status="deactivated"), AT
    ),
    Reason.GRANT_EXPIRED: lambda: _act("seller_center.orders", expires_at=AT),
    Reason.SELLER_CENTER_ACCESS_NOT_GRANTED: lambda: _act("creator_im.send", items=frozenset()),
    Reason.ROLE_NOT_GRANTED: lambda: _act("creator_im.read"),
    Reason.AREA_NOT_GRANTED: lambda: _act(
        "data_compass.live", items=frozenset({"data_compass"}), areas=frozenset({"video"})
    ),
    Reason.ITEM_NOT_GRANTED: lambda: _act("ticket.create"),
    Reason.UNKNOWN_ACTION: lambda: _act("shop.delete"),
    Reason.NOT_ASSIGNED: lambda: check_assignment(is_admin=False, is_assigned=False),
    Reason.CONSOLE_SESSION_REQUIRED: lambda: decide_for_app(
        GRANT, frozenset(), "seller_center.orders", AT
    ),
    Reason.MARKET_DISALLOWS_PROPOSALS: lambda: check_proposal_market("UK"),
    Reason.PROPOSAL_NOT_OPEN: lambda: check_proposal_open("declined", LATER, AT),
    Reason.PROPOSAL_EXPIRED: lambda: check_proposal_open("open", AT, AT),
    Reason.SCOPE_NOT_GRANTED: lambda: decide_for_app(GRANT, frozenset(), "data_compass.live", AT),
}


def _reasons_of_the_grant_policy() -> set[Reason]:
    """The codes the grant policy's modules answer with: ``Reason.X`` named in them. (The
    catalogue holds every code of the API; Business Center decisions have their own tests.)"""
    folder = Path(policy.__file__).parent
    modules = [p for p in folder.glob("*.py") if p.name not in GRANT_POLICY_EXCLUDED]
    return {
        Reason[node.attr]
        for path in modules
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute) and getattr(node.value, "id", None) == "Reason"
    }


def test_every_denial_reason_has_a_scenario() -> None:
    assert len(SCENARIOS) > 30
    assert set(SCENARIOS) == _reasons_of_the_grant_policy() - {Reason.OK}


@pytest.mark.parametrize("reason", list(SCENARIOS))
def test_reason_is_reachable(reason: Reason) -> None:
    decision = SCENARIOS[reason]()
    assert (decision.allow, decision.reason) == (False, reason)


def test_widening_edit_reaches_service_not_valid() -> None:
    widened = _sel("seller_center_access", roles="orders")
    decision = check_edit(_sel(), widened, _offer(), service_valid=False)
    assert decision.reason == Reason.SERVICE_NOT_VALID
