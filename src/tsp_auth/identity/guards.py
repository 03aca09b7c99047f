"""Role guards: who the caller must be. One definition of each check, refused with 403.

Most are called inside the service, because the route must first answer 422 for a bad body
or 404 for another tenant's object. Where the check comes first anyway (no body, no query
to validate, no lookup before it), the router declares an ``Annotated`` alias over the check
(``webhooks.router.WebhookAdminDep``), so the refusal happens before the route body runs, as it
did inside the service. The checks themselves import no dependency (``deps`` sits above
``identity``, which it resolves the caller with).
"""

from __future__ import annotations

from tsp_auth.identity.callers import Caller
from tsp_auth.kit.errors import Forbidden
from tsp_auth.policy import Reason, check_consenter


def require_operator(caller: Caller) -> None:
    if not caller.is_operator:
        raise Forbidden("operators only", error=Reason.OPERATOR_REQUIRED)


def require_partner_admin(caller: Caller, *, manages: str) -> str:
    """A partner's admin; ``manages`` names what, so the refusal says it."""
    if not caller.is_partner_admin or caller.partner_id is None:
        raise Forbidden(
            f"only a partner admin manages {manages}", error=Reason.PARTNER_ADMIN_REQUIRED
        )
    return caller.partner_id


def require_partner_account(caller: Caller, *, to: str = "make authorization links") -> str:
    """A partner's own staff (admin or member); ``to`` says what the caller tried, so the
    refusal names it (seed 002 step 2: they copy and share the link; seed 000: they log in)."""
    if caller.kind != "partner" or caller.partner_id is None:
        raise Forbidden(
            f"only a partner's accounts may {to}", error=Reason.PARTNER_ACCOUNT_REQUIRED
        )
    return caller.partner_id


def require_seller(caller: Caller) -> str:
    """Any account of a seller (main or sub) may look at a consent request."""
    if caller.kind != "seller" or caller.seller_id is None:
        raise Forbidden(
            "only a seller's accounts see consent requests", error=Reason.SELLER_REQUIRED
        )
    return caller.seller_id


def require_main_account(caller: Caller) -> str:
    """seed 000: "Only the main account of the seller has the authority to authorize"."""
    decision = check_consenter(caller.is_seller_main)
    if not decision.allow or caller.seller_id is None:
        raise Forbidden("only the seller's main account may decide", error=decision.reason)
    return caller.seller_id
