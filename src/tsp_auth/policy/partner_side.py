"""Decisions outside a console session: may a partner member (through Partner Center) or a
partner app (through a partner API) use a seller's grant for an action?

seed 002: in US CB and other markets "there is only Data Compass authorization and no
Permission role authorization, which means partner can check seller data but being unable to
log in via TSP access"; seed 001 lets any seller skip TSP access and still authorize data
analytics; seed 000/002: "TSP can raise tickets on behalf of your shop", from Partner Center.
Those actions are used without a console session, so they are decided here, on the same action
table (``access.ACTIONS``) and the same grant facts as console decisions. Console actions
(``seller_center.*``, ``creator_im.*``) are not: they happen inside the seller's console.

Pure: the caller reads the facts (the caller's assignment, the pair's grants, the token's grant
and scopes) and passes them in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType

from tsp_auth.policy.catalogue import Item
from tsp_auth.policy.grant_use import (
    ACTIONS,
    GrantFacts,
    check_assignment,
    decide_action,
    for_member,
)
from tsp_auth.policy.reasons import Reason
from tsp_auth.policy.verdict import Decision

# The OAuth scope an app's token must hold for an action on a seller's data, by the item
# the action uses (seed 004: partner APIs are opened by ``partner.*`` scopes).
APP_SCOPES: Mapping[str, str] = MappingProxyType(
    {
        Item.DATA_COMPASS: "partner.data_compass.read",
        Item.SHOP_OPERATION_TICKET: "partner.ticket.write",
    }
)


def _outside_console(action: str) -> Decision:
    """Only the actions used outside the seller's console are decided here."""
    need = ACTIONS.get(action)
    if need is None:
        return Decision.denied(Reason.UNKNOWN_ACTION)
    if need.console:
        return Decision.denied(Reason.CONSOLE_SESSION_REQUIRED)
    return Decision.allowed()


@dataclass(frozen=True, slots=True)
class Answer:
    """A decision, and which of the grants allowed it (None when none did)."""

    decision: Decision
    grant_index: int | None = None


def decide_for_member(
    grants: Sequence[GrantFacts],
    action: str,
    at: datetime,
    *,
    is_admin: bool,
    assigned: bool,
    assigned_roles: frozenset[str] | None,
    sea_launch: date | None = None,
) -> Answer:
    """May a partner member do ``action`` on the seller that granted ``grants`` (every grant
    between the seller and the member's partner)? DESIGN §2: admins act for every seller,
    members only for the sellers assigned to them, with the assignment's roles."""
    outside = _outside_console(action)
    if not outside.allow:
        return Answer(outside)
    assignment = check_assignment(is_admin=is_admin, is_assigned=assigned)
    if not assignment.allow:
        return Answer(assignment)
    if not grants:
        return Answer(Decision.denied(Reason.SERVICE_NOT_AUTHORIZED))
    roles = None if is_admin else assigned_roles
    denials = []
    for index, grant in enumerate(grants):
        decision = decide_action(for_member(grant, roles), action, at, sea_launch=sea_launch)
        if decision.allow:
            return Answer(decision, index)
        denials.append(decision)
    return Answer(_most_telling(denials))


def _most_telling(denials: Sequence[Decision]) -> Decision:
    """A grant still in force explains a refusal better than one that has ended."""
    ended = (Reason.GRANT_NOT_ACTIVE, Reason.GRANT_EXPIRED, Reason.SERVICE_NOT_VALID)
    for denial in denials:
        if denial.reason not in ended:
            return denial
    return denials[0]


def decide_for_app(
    grant: GrantFacts,
    scopes: frozenset[str],
    action: str,
    at: datetime,
    *,
    sea_launch: date | None = None,
) -> Decision:
    """May an app whose token holds ``scopes``, minted from ``grant`` (still in force at the
    token's version: the caller checks it), do ``action`` on the grant's seller?"""
    outside = _outside_console(action)
    if not outside.allow:
        return outside
    need = ACTIONS[action]
    scope = APP_SCOPES.get(need.item)
    if scope is None or scope not in scopes:
        return Decision.denied(Reason.SCOPE_NOT_GRANTED)
    return decide_action(grant, action, at, sea_launch=sea_launch)
