"""Service proposals (seed 002: "For US L2L&CB, you can also create a service proposal/offer to
sign with sellers"): where they exist, and which state a proposal is in.

A proposal is a partner's offer to one named seller; accepting it is a consent, so what it asks
for is checked by the consent's own rules (``policy.selection``) when it is made and again when
it is accepted.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from tsp_auth.policy.reasons import Reason
from tsp_auth.policy.verdict import ALLOWED, Decision

# seed 002 names US L2L and US CB only; every other market refuses (decision: the seed's list,
# not the link host's region, since ROW markets have no proposals at all).
PROPOSAL_MARKETS: frozenset[str] = frozenset({"US-L2L", "US-CB"})
# How long an open proposal waits for the seller (decision; the seed names no period).
PROPOSAL_TTL = timedelta(days=30)


class ProposalStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"  # never stored: an open proposal past its expiry


def check_proposal_market(market: str) -> Decision:
    if market in PROPOSAL_MARKETS:
        return ALLOWED
    return Decision.denied(Reason.MARKET_DISALLOWS_PROPOSALS)


def effective_proposal_status(status: str, expires_at: datetime, at: datetime) -> ProposalStatus:
    if status == ProposalStatus.OPEN and expires_at <= at:
        return ProposalStatus.EXPIRED
    return ProposalStatus(status)


def check_proposal_open(status: str, expires_at: datetime, at: datetime) -> Decision:
    """A proposal is answered once (accepted, declined or withdrawn), before it expires."""
    current = effective_proposal_status(status, expires_at, at)
    if current == ProposalStatus.OPEN:
        return ALLOWED
    if current == ProposalStatus.EXPIRED:
        return Decision.denied(Reason.PROPOSAL_EXPIRED)
    return Decision.denied(Reason.PROPOSAL_NOT_OPEN)
