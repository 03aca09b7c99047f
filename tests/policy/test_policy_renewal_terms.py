"""What a renewal keeps and what it changes (policy.renewal), and when a proposal stops being
open (policy.proposals): an answered proposal stays answered, whatever its expiry."""

from __future__ import annotations

from datetime import timedelta

from tests.policy.test_policy_selection import AT, DC, SCA, sel

from tsp_auth.policy import Reason, check_proposal_open, effective_proposal_status
from tsp_auth.policy.proposals import ProposalStatus
from tsp_auth.policy.renewal import renewed_selection


def test_a_renewal_keeps_the_items_and_takes_the_new_duration() -> None:
    current = sel(SCA, DC, roles=frozenset({"orders"}), areas=frozenset({"live"}), days=30)
    renewed = renewed_selection(current, 180)
    assert renewed.duration_days == 180
    assert (renewed.items, renewed.roles, renewed.areas) == (
        current.items,
        current.roles,
        current.areas,
    )


def test_an_answered_proposal_past_its_expiry_is_still_answered_not_expired() -> None:
    past = AT - timedelta(days=1)
    for answered in ("accepted", "declined", "withdrawn"):
        assert effective_proposal_status(answered, past, AT) == answered
        assert check_proposal_open(answered, past, AT).reason == Reason.PROPOSAL_NOT_OPEN
    assert effective_proposal_status("open", AT + timedelta(days=1), AT) == ProposalStatus.OPEN
    assert effective_proposal_status("open", AT, AT) == ProposalStatus.EXPIRED
