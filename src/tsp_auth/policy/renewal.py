"""seed 002, My Service: the seller may "edit/delete/renew" a service's authorization. Renewal
is a consent again: the seller picks an access duration (seed 001: the same durations as the
consent page) and the grant runs that long from now, with what it holds today.

Which grants may be renewed (the rule, docs/grants.md "Renewal by the seller"):

- **active**: yes.
- **expired**: yes, while the binding is still active. seed 002 shows "Expired" among the
  statuses on My Service, whose actions include "renew", and its FAQ renews an expired
  authorization by consenting again; the consent path already renews an expired grant in place
  (``consent.repository.RENEWABLE_STATUSES``). Renewing from My Service is the same consent
  without the round trip through the partner.
- **cancelled**: no (``binding_cancelled``): seed 002, "Cancelled ... means seller cancels
  binding relationship with its partner"; only a new authorization link starts a new one.
- **deactivated**: no (``grant_not_active``): the platform ended it (service invalid, partner
  suspended, market rule withdrawn); the seller may not undo the platform's decision.

Like any consent, a renewal needs the service still valid (seed 000) and what the grant holds
still on offer in the seller's market today (a market rule withdrawn since is not renewed).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from tsp_auth.policy.grant_use import GrantStatus, effective_status
from tsp_auth.policy.reasons import Reason
from tsp_auth.policy.selection import Offer, Selection, check_duration, check_selection
from tsp_auth.policy.verdict import Decision

RENEWABLE = (GrantStatus.ACTIVE, GrantStatus.EXPIRED)


def check_renewable(
    status: str, expires_at: datetime | None, at: datetime, *, binding_active: bool
) -> Decision:
    """May a grant in this state be renewed by its seller at ``at``?"""
    current = effective_status(status, expires_at, at)
    if current == GrantStatus.CANCELLED or not binding_active:
        return Decision.denied(Reason.BINDING_CANCELLED)
    if current not in RENEWABLE:
        return Decision.denied(Reason.GRANT_NOT_ACTIVE)
    return Decision.allowed()


def renewed_selection(current: Selection, duration_days: int) -> Selection:
    """What the grant holds after the renewal: the same items, a new duration."""
    return replace(current, duration_days=duration_days)


def check_renewal(
    current: Selection, duration_days: int, offer: Offer, *, service_valid: bool
) -> Decision:
    """May a renewable grant be renewed for ``duration_days``, given today's offer?"""
    duration = check_duration(duration_days)
    if not duration.allow:
        return duration
    # seed 000: "TSP access can only be added to services that are currently valid".
    if not service_valid:
        return Decision.denied(Reason.SERVICE_NOT_VALID)
    return check_selection(renewed_selection(current, duration_days), offer)
