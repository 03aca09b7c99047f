"""Partner Center "TSP Access" (seed 000 step 2): the sellers the signed-in partner account may
act for (a member: only those assigned to it), each with its market, status and a **Log in**
button. The button mints a login token through ``tsp_access.login`` (as
``POST /v1/tsp-access/login``) and hands it to the seller console in a POST form, never in a
URL (RFC 6750 §5.3); the console of the seller's market is ``login_url``.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from starlette.datastructures import FormData

from tsp_auth.deps import get_keyring
from tsp_auth.kit.errors import AppError, BadRequest
from tsp_auth.kit.rate_limits import Endpoint
from tsp_auth.policy import Reason, label_of
from tsp_auth.policy.catalogue import ROLES
from tsp_auth.tsp_access import login, sellers
from tsp_auth.tsp_access.schemas import LoginRequest, SellerGrant, TspSeller
from tsp_auth.web.browser import Browser, BrowserDep
from tsp_auth.web.csrf import form_token
from tsp_auth.web.decide import decide
from tsp_auth.web.error_pages import ErrorWording, error_page
from tsp_auth.web.pages import page
from tsp_auth.web.sign_in import SignedIn, signed_in_page
from tsp_auth.web.who import who_of

router = APIRouter(tags=["pages"], include_in_schema=False)

HERE = "/tsp-access"
LOGIN = "/tsp-access/login"
_BOUND_TO = "tsp-access-login"  # what the Log in forms' CSRF token is bound to
# One click (seed 000): the hand-over form submits itself; its CSP allows this script only.
# Without scripts the page shows the form's button instead.
AUTO_SUBMIT = 'document.getElementById("to-console").submit();'

WORDING = ErrorWording(
    default_title="TSP Access login refused",
    titles={
        Reason.PARTNER_ACCOUNT_REQUIRED: "TSP Access is for a partner's accounts",
        Reason.NOT_ASSIGNED: "You are not assigned to this seller",
    },
    default_help="Go back to TSP Access and pick a seller whose login is available.",
    help={
        Reason.NOT_ASSIGNED: "Ask your partner's admin to assign this seller to you.",
        Reason.PARTNER_ACCOUNT_REQUIRED: "Sign in as a partner admin or member.",
    },
)

# How the list shows a grant that does not allow a login now (the reason, in words).
LOGIN_BLOCKED: dict[str, str] = {
    Reason.MARKET_DISALLOWS_CONSOLE_ACCESS: "Not available in this market",
    Reason.SELLER_CENTER_ACCESS_NOT_GRANTED: "Seller center access not granted",
    Reason.ROLE_NOT_GRANTED: "No role left for you",
    Reason.GRANT_EXPIRED: "Expired",
    Reason.GRANT_NOT_ACTIVE: "Not active",
    Reason.SERVICE_NOT_VALID: "Service not valid",
}


def _role_label(code: str) -> str:
    return label_of(ROLES, code) or code


def _row(seller: TspSeller, grant: SellerGrant) -> dict[str, object]:
    return {
        "seller": seller,
        "grant": grant,
        "roles": ", ".join(_role_label(r) for r in grant.roles) or "—",
        "status": "Active"
        if grant.login.allow
        else LOGIN_BLOCKED.get(grant.login.reason, grant.login.reason),
    }


@router.get(HERE)
async def tsp_access(browser: BrowserDep) -> Response:
    async def show(who: SignedIn) -> Response:
        listed = await sellers.list_sellers(browser.session, browser.settings, who.caller)
        rows = [_row(s, g) for s in listed.items for g in s.grants]
        return page(
            "tsp_access.html",
            who=who_of(who.caller),
            rows=rows,
            is_admin=who.caller.is_partner_admin,
            csrf_token=form_token(browser.settings, _BOUND_TO, who),
        )

    return await signed_in_page(browser, HERE, WORDING, show)


def _text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) and value else None


class LogIn:
    """The Log in button (``web.decide.PageDecision``): mint, then hand over to the console."""

    here = HERE
    attempt: Endpoint = "approval"
    wording = WORDING

    def __init__(self, browser: Browser) -> None:
        self.browser = browser

    async def bound_to(self, who: SignedIn) -> str:
        return _BOUND_TO

    async def decide(self, who: SignedIn, form: FormData) -> Response:
        seller_id = _text(form, "seller_id")
        if seller_id is None or len(seller_id) > 40 or len(_text(form, "service_id") or "") > 40:
            raise BadRequest("choose a seller to log in to", error=Reason.INVALID_REQUEST)
        browser = self.browser
        # The login writes in a transaction of its own (tsp_access/login.py); the sign-in's
        # read must not hold SQLite's write lock meanwhile (docs/architecture.md, rule 4).
        await browser.session.rollback()
        issued = await login.issue_login_token(
            browser.sessionmaker,
            browser.settings,
            await get_keyring(browser.request),
            who.caller,
            LoginRequest(seller_id=seller_id, service_id=_text(form, "service_id")),
        )
        # The token goes to the console as a POST field (never a URL); the page's CSP lets
        # this one form reach the console's origin.
        return page(
            "tsp_access_go.html",
            form_targets=(issued.login_url,),
            scripts=(AUTO_SUBMIT,),
            auto_submit=AUTO_SUBMIT,
            who=who_of(who.caller),
            issued=issued,
            shop_name=_text(form, "shop_name") or seller_id,
        )

    async def refused(self, who: SignedIn, form: FormData, refusal: AppError) -> Response:
        return error_page(refusal, self.wording)


@router.post(LOGIN)
async def log_in(browser: BrowserDep) -> Response:
    return await decide(browser, LogIn(browser))
