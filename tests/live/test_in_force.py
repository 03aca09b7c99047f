"""``live.in_force``: the one check of a grant against the version a credential was minted
from (DESIGN §2), and ``policy.check_in_force`` under it. Pure: facts in, a reason out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tsp_auth.live.grant_state import LiveGrant
from tsp_auth.live.in_force import check_minted_version, grant_in_force
from tsp_auth.policy import GrantFacts, GrantStatus, Reason, grant_facts

AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _facts(
    status: str = GrantStatus.ACTIVE,
    expires_at: datetime | None = AT + timedelta(days=1),
    service_valid: bool | None = True,
) -> GrantFacts:
    return grant_facts(
        status=status,
        expires_at=expires_at,
        items=frozenset({"seller_center_access"}),
        roles=frozenset({"orders"}),
        areas=frozenset(),
        market="UK",
        service_valid=service_valid,
        authorized_object=None,
    )


def _live(facts: GrantFacts, version: int = 3) -> LiveGrant:
    return LiveGrant("grt_1", "tsp_access", version, "slr_1", "ptn_1", "svc_1", facts)


def test_a_grant_in_force_at_the_minted_version_is_allowed() -> None:
    decision = check_minted_version(_facts(), 3, 3, AT)

    assert decision.allow and decision.reason == Reason.OK


def test_an_edited_grant_says_grant_changed() -> None:
    assert check_minted_version(_facts(), 4, 3, AT).reason == Reason.GRANT_CHANGED


def test_the_grant_state_speaks_before_the_version() -> None:
    cancelled = _facts(status=GrantStatus.CANCELLED)

    assert check_minted_version(cancelled, 4, 3, AT).reason == Reason.GRANT_NOT_ACTIVE


@pytest.mark.parametrize("expires_at", [AT, AT - timedelta(seconds=1)])
def test_an_active_grant_past_expires_at_is_refused_before_the_sweep(
    expires_at: datetime,
) -> None:
    lapsed = _facts(status=GrantStatus.ACTIVE, expires_at=expires_at)

    assert check_minted_version(lapsed, 3, 3, AT).reason == Reason.GRANT_EXPIRED
    assert not grant_in_force(_live(lapsed), AT)


def test_a_grant_of_an_invalid_service_is_refused() -> None:
    invalid = _facts(service_valid=False)

    assert check_minted_version(invalid, 3, 3, AT).reason == Reason.SERVICE_NOT_VALID
    assert not grant_in_force(_live(invalid), AT)


def test_a_grant_without_a_service_or_expiry_is_in_force() -> None:
    facts = _facts(expires_at=None, service_valid=None)

    assert check_minted_version(facts, 1, 1, AT).allow
    assert grant_in_force(_live(facts), AT)


def test_grant_in_force_follows_the_grant_whatever_its_version() -> None:
    assert grant_in_force(_live(_facts(), version=9), AT)
    assert not grant_in_force(None, AT)
    assert not grant_in_force(_live(_facts(status=GrantStatus.EXPIRED)), AT)
