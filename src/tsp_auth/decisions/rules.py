"""The decision as a pure function of what the one query read (STYLE §4: no I/O here)."""

from __future__ import annotations

from datetime import date, datetime

from tsp_auth.live.in_force import check_minted_version
from tsp_auth.live.session_state import LiveSession
from tsp_auth.policy import Decision, Reason, decide_action, for_member


def decide(
    console: LiveSession,
    *,
    action: str,
    shop_id: str,
    at: datetime,
    sea_launch: date | None,
) -> Decision:
    """May this console session do ``action`` on ``shop_id`` at ``at``?

    In order: the session is open; the shop is the session's seller; the grant is in force at
    the session's version (cancel, deactivation and every edit bump it: DESIGN §2); then the
    policy's action table on the grant as the member holds it (the session's roles).
    """
    if console.ended_at is not None or console.expires_at <= at:
        return Decision.denied(Reason.SESSION_ENDED)
    if shop_id != console.seller_id:
        return Decision.denied(Reason.WRONG_SHOP)
    facts = console.grant
    in_force = check_minted_version(facts, console.current_grant_version, console.grant_version, at)
    if not in_force.allow:
        return in_force
    return decide_action(for_member(facts, console.roles), action, at, sea_launch=sea_launch)
