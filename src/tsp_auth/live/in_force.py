"""Is the grant a token or session rests on still in force, at the version it was minted from?

The one check every use of a minted credential goes through: decisions, introspection (access
tokens, refresh tokens, login tokens, console sessions), the login token's redemption and the
token endpoint's code and refresh grants. DESIGN §2: "Once a grant stops being active, every
token and session minted from it stops working immediately". The rule on the grant's state
(effective status, so a grant past ``expires_at`` is refused even before the sweep marks it,
and its service's validity) is ``policy.check_in_force``, which login and the action table
apply too; ``tests/test_architecture.py`` fails if either is written a second time.
"""

from __future__ import annotations

from datetime import datetime

from tsp_auth.live.grant_state import LiveGrant
from tsp_auth.policy import Decision, GrantFacts, Reason, check_in_force

_GRANT_CHANGED = Decision.denied(Reason.GRANT_CHANGED)


def check_minted_version(
    facts: GrantFacts, version: int, minted_version: int, at: datetime
) -> Decision:
    """Is the grant a token or session was minted from still in force, at the same version?

    The grant's state speaks first, so a cancelled grant says ``grant_not_active`` rather than
    the version bump the cancel also made; a grant still in force but edited (narrowed) or
    renewed since says ``grant_changed``.
    """
    in_force = check_in_force(facts, at)
    if in_force.allow and version != minted_version:
        return _GRANT_CHANGED
    return in_force


def grant_in_force(live: LiveGrant | None, at: datetime) -> bool:
    """May the grant back tokens at ``at``, whatever version they carry (a code or refresh
    token follows its grant's edits: the tokens it yields carry the version of the day)?"""
    return live is not None and check_in_force(live.facts, at).allow
