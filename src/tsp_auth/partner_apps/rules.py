"""Who may authorize a partner app, and to what: pure checks, each denial with a reason code.

seed 004 "Requirements" and "Partner requirements"; DESIGN §2 preconditions. No I/O: the
service loads the facts (caller, partner, app, request) and calls these.
"""

from __future__ import annotations

from collections.abc import Iterable

from tsp_auth.clients.scopes import PARTNER_SCOPE_PREFIX
from tsp_auth.identity.callers import Caller
from tsp_auth.models import Client, Partner
from tsp_auth.oauth.authorize import is_app_service_id
from tsp_auth.policy import Decision, Reason

# seed 004: partner authorization is "only for the Seller and Scalable Creator Match-Up (aka
# TAP) partner category"; the consent names it, and this is the only category offered today.
TAP_CATEGORY = "tap"
TAP_LABEL = "Seller and Scalable Creator Match-up"
CATEGORY_LABELS: dict[str, str] = {TAP_CATEGORY: TAP_LABEL}


def check_partner_account(caller: Caller) -> Decision:
    if caller.kind != "partner" or caller.partner_id is None:
        return Decision.denied(Reason.PARTNER_ACCOUNT_REQUIRED)
    return Decision.allowed()


def check_partner_admin(caller: Caller) -> Decision:
    """The partner authorizes its business data: only its admin decides (DESIGN §2 roles)."""
    account = check_partner_account(caller)
    if not account.allow:
        return account
    if not caller.is_partner_admin:
        return Decision.denied(Reason.PARTNER_ADMIN_REQUIRED)
    return Decision.allowed()


def check_app_usable(client: Client | None) -> Decision:
    """A disabled (or vanished) app accepts no authorization (RFC 6749 §4.1.2.1)."""
    if client is None or client.status == "disabled" or not is_app_service_id(client.service_id):
        return Decision.denied(Reason.UNAUTHORIZED_CLIENT)
    return Decision.allowed()


def check_tap_enrolled(partner: Partner) -> Decision:
    """seed 004: "The partner must have enrolled as Seller and Scalable Creator Match-up"."""
    if TAP_CATEGORY not in partner.categories or partner.status != "active":
        return Decision.denied(Reason.PARTNER_NOT_TAP_ENROLLED)
    return Decision.allowed()


def check_app_audience(client: Client, grantor_id: str) -> Decision:
    """seed 004: "If the app is still in development, the app can only accept authorization
    from the owner of the app. After the launch, the app can accept authorization from other
    partners." """
    if client.status == "live" or client.partner_id == grantor_id:
        return Decision.allowed()
    return Decision.denied(Reason.APP_IN_DEVELOPMENT)


def check_category(category: str) -> Decision:
    """seed 004: "Make sure the user chooses Seller and Scalable Creator Match-up"."""
    if category in CATEGORY_LABELS:
        return Decision.allowed()
    return Decision.denied(Reason.CATEGORY_NOT_SUPPORTED)


def grantable_scopes(app_scopes: Iterable[str], requested: Iterable[str] | None) -> frozenset[str]:
    """seed 004: the app's enabled ``partner.*`` scopes, narrowed by what the link asked for."""
    enabled = frozenset(s for s in app_scopes if s.startswith(PARTNER_SCOPE_PREFIX))
    return enabled if requested is None else enabled & frozenset(requested)


def check_scopes(chosen: Iterable[str], grantable: frozenset[str]) -> Decision:
    """The partner may narrow the scopes, never widen them (RFC 6749 §3.3); at least one."""
    picked = frozenset(chosen)
    if not picked or not picked <= grantable:
        return Decision.denied(Reason.INVALID_SCOPE)
    return Decision.allowed()
