"""Pure checks shared by login, redemption, decisions and introspection (no I/O).

A token or session minted from a grant is good only while the policy allows the use at the
time of the call AND the grant still has the version it was minted from (DESIGN §2: "Once a
grant stops being active, every token and session minted from it stops working immediately").
"""

from __future__ import annotations

from datetime import date, datetime

from tsp_auth.policy import Decision, GrantFacts, Reason, check_active, check_login, for_member


def check_member_login(
    facts: GrantFacts, roles: frozenset[str] | None, at: datetime, *, sea_launch: date | None
) -> Decision:
    """May a member holding ``roles`` of the grant (None: all of them) log in at ``at``?"""
    return check_login(for_member(facts, roles), at, sea_launch=sea_launch)


def check_minted_version(
    facts: GrantFacts, version: int, minted_version: int, at: datetime
) -> Decision:
    """Is the grant a token or session was minted from still in force, at the same version?

    The grant's state speaks first, so a cancelled grant says ``grant_not_active`` rather than
    the version bump the cancel also made; a grant still in force but edited (narrowed) or
    renewed since says ``grant_changed``.
    """
    active = check_active(facts.status, facts.expires_at, at)
    if not active.allow:
        return active
    if not facts.service_valid:
        # DESIGN §2: an invalid service deactivates its grants; never act on one meanwhile.
        return Decision.denied(Reason.SERVICE_NOT_VALID)
    if version != minted_version:
        return Decision.denied(Reason.GRANT_CHANGED)
    return active
