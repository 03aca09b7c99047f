"""`/home`: what the signed-in role can do, as links; `POST /sign-out` ends the cookie sign-in.

Every page's header says who is signed in and offers the sign-out (``base.html``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from fastapi import APIRouter, Response

from tsp_auth.identity.callers import IDENTITY_COOKIE
from tsp_auth.kit import urls
from tsp_auth.web.browser import BrowserDep
from tsp_auth.web.csrf import cross_site_refusal
from tsp_auth.web.error_pages import ErrorWording, error_page
from tsp_auth.web.pages import page, see_other
from tsp_auth.web.sign_in import SignedIn, signed_in_page
from tsp_auth.web.who import who_of

router = APIRouter(tags=["pages"], include_in_schema=False)

HOME = "/home"
# The pages of each role (kind, role): (path, title, what it is for).
LINKS: Mapping[tuple[str, str], tuple[tuple[str, str, str], ...]] = MappingProxyType(
    {
        ("seller", "main"): (
            ("/my-service", "My Service", "see, remove and cancel the partners you authorized"),
            ("/my-service/audit", "Audit trail", "who did what on your behalf, with CSV export"),
        ),
        ("seller", "sub"): (
            ("/my-service", "My Service", "see the partners your shop authorized (read only)"),
        ),
        ("partner", "admin"): (
            ("/tsp-access", "TSP Access", "your sellers, and one-click login to their console"),
            ("/tsp-access/request", "Request TSP Access", "links to send sellers without it"),
            ("/tsp-access/assignments", "Assignments", "which member acts for which seller"),
            ("/my-account/authorizations", "My authorizations", "the apps your partner authorized"),
        ),
        ("partner", "member"): (
            ("/tsp-access", "TSP Access", "the sellers assigned to you, and one-click login"),
        ),
        ("business_center", "admin"): (
            ("/bc/tiktok-accounts", "TikTok accounts", "request access, pending requests, assign"),
        ),
        ("tiktok", "owner"): (
            ("/bc-access", "Business Center access", "the Business Centers you authorized"),
        ),
        ("business_center", "member"): (
            ("/bc/tiktok-accounts", "TikTok accounts", "the accounts assigned to you"),
        ),
    }
)
_OTHER = (("/docs", "API documentation", "everything else is in the JSON API"),)
_WORDING = ErrorWording(default_title="Sign-out refused", default_help="Go back and try again.")


@router.get(HOME)
async def home(browser: BrowserDep) -> Response:
    async def show(who: SignedIn) -> Response:
        caller = who.caller
        links = LINKS.get((caller.kind, caller.role), _OTHER)
        return page("home.html", who=who_of(caller), links=links)

    return await signed_in_page(browser, HOME, _WORDING, show)


@router.get("/sign-out")
async def confirm_sign_out() -> Response:
    """Error pages link here ("sign in as someone else"): a GET never signs out by itself."""
    return page("sign_out.html")


@router.post("/sign-out")
async def sign_out(browser: BrowserDep) -> Response:
    refusal = cross_site_refusal(browser.request, browser.settings)
    if refusal is not None:
        return error_page(refusal, _WORDING)
    target = urls.dev_sign_in_path(HOME) if browser.settings.dev_issuer_enabled else "/"
    response = see_other(target)
    response.delete_cookie(IDENTITY_COOKIE, path="/")
    return response
