"""policy.renewal: which grants a seller may renew from My Service, and for how long."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from tests.policy.test_policy_selection import AT, DC, SCA, offer, sel

from tsp_auth.policy import Reason, check_renewable, check_renewal

LATER = AT + timedelta(days=10)
EARLIER = AT - timedelta(days=10)


@pytest.mark.parametrize(
    ("status", "expires_at", "binding_active", "reason"),
    [
        ("active", LATER, True, Reason.OK),
        ("active", EARLIER, True, Reason.OK),  # lapsed, not yet swept: expired
        ("expired", EARLIER, True, Reason.OK),
        ("expired", EARLIER, False, Reason.BINDING_CANCELLED),
        ("cancelled", LATER, False, Reason.BINDING_CANCELLED),
        ("deactivated", LATER, True, Reason.GRANT_NOT_ACTIVE),
    ],
)
def test_which_grants_may_be_renewed(
    status: str, expires_at: datetime, binding_active: bool, reason: str
) -> None:
    decision = check_renewable(status, expires_at, AT, binding_active=binding_active)
    assert decision.reason == reason
    assert decision.allow is (reason == Reason.OK)


def test_the_durations_are_the_consents() -> None:
    current = sel(SCA, DC, roles=frozenset({"orders"}), areas=frozenset({"live"}))
    for days in (30, 90, 180, 365):
        assert check_renewal(current, days, offer(), service_valid=True).allow
    denied = check_renewal(current, 45, offer(), service_valid=True)
    assert denied.reason == Reason.UNKNOWN_DURATION


def test_an_invalid_service_or_a_withdrawn_market_rule_is_not_renewed() -> None:
    current = sel(SCA, roles=frozenset({"orders"}))
    assert check_renewal(current, 90, offer(), service_valid=False).reason == (
        Reason.SERVICE_NOT_VALID
    )
    # US CB offers no seller center access (seed 002): such a grant is not renewed as it is.
    cb = check_renewal(current, 90, offer("US-CB"), service_valid=True)
    assert not cb.allow
    data_only = sel(DC, areas=frozenset({"live"}))
    assert check_renewal(data_only, 90, offer("US-CB"), service_valid=True).allow
