"""The local console's pages (development only; mounted when ``TSP_AUTH_LOCAL_CONSOLE`` is set).

- ``POST /console/login``: the partner's page posts the login token here (``login_url``). It
  is redeemed once on this browser's profile, whose id a cookie keeps (a browser profile keeps
  its cookies apart, as Chrome profiles do: seed 000 FAQ Q1); the session token goes into an
  HttpOnly cookie, never into a URL.
- ``GET /console``, ``GET /console/areas/{area}``, ``POST /console/creator-im``: each asks for
  a decision first, so the first action after the seller cancels shows that access ended.
- ``POST /console/logout``: ends the session, which frees the profile.

No Origin check on the login: in production the partner's console, another site, posts the
token here by design; the token is the credential and is good once.
"""

from __future__ import annotations

import secrets
from types import MappingProxyType

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from tsp_auth.clock import now
from tsp_auth.console import service
from tsp_auth.console.service import Acting, Outcome
from tsp_auth.crypto.jwt import MAX_TOKEN_LENGTH
from tsp_auth.deps import KeyRingDep
from tsp_auth.kit.errors import AppError, BadRequest
from tsp_auth.kit.urls import LOCAL_CONSOLE_LOGIN_PATH, LOCAL_CONSOLE_PATH
from tsp_auth.policy import Reason, label_of
from tsp_auth.policy.catalogue import ROLES
from tsp_auth.web.browser import Browser, BrowserDep
from tsp_auth.web.csrf import cross_site_refusal, csrf_refusal, csrf_token
from tsp_auth.web.error_pages import ErrorWording, error_page
from tsp_auth.web.pages import page, see_other

router = APIRouter(tags=["development"], include_in_schema=False)

SESSION_COOKIE = "tsp_console_session"
PROFILE_COOKIE = "tsp_console_profile"
# A few Seller Center areas, each opened by its role (or full access): seed 000 step 2.
AREAS = ("products", "orders", "affiliate_center")
CREATOR_IM_SEND = "creator_im.send"
_PROFILE_AGE = 365 * 24 * 3600
_CSRF_PURPOSE = "console-creator-im"

LOGIN_REFUSED = ErrorWording(
    default_title="TSP Access login refused",
    titles=MappingProxyType(
        {
            Reason.LOGIN_TOKEN_USED: "This login link was already used",
            Reason.LOGIN_TOKEN_EXPIRED: "This login link has expired",
            Reason.BROWSER_PROFILE_IN_USE: "This browser profile is signed in already",
        }
    ),
    default_help="Go back to TSP Access in Partner Center and click Log in again.",
    help=MappingProxyType(
        {
            Reason.BROWSER_PROFILE_IN_USE: (
                "One browser profile holds one Seller Center identity: log out of the other "
                "session first, or use another browser profile."
            )
        }
    ),
)


def _set_cookie(response: Response, browser: Browser, name: str, value: str, age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=age,
        httponly=True,
        samesite="lax",
        secure=browser.settings.issuer_is_https,
        path=LOCAL_CONSOLE_PATH,
    )


@router.post(LOCAL_CONSOLE_LOGIN_PATH)
async def login(
    browser: BrowserDep,
    keyring: KeyRingDep,
    login_token: str = Form(max_length=MAX_TOKEN_LENGTH),
) -> Response:
    profile = browser.request.cookies.get(PROFILE_COOKIE) or f"bp-{secrets.token_urlsafe(16)}"
    try:
        started = await service.open_console(
            browser.session, browser.settings, keyring, login_token, profile
        )
    except AppError as exc:
        await browser.session.rollback()
        return _refused(exc, profile, browser)
    response = see_other(LOCAL_CONSOLE_PATH)
    _set_cookie(response, browser, PROFILE_COOKIE, profile, _PROFILE_AGE)
    ttl = int((started.expires_at - now()).total_seconds())
    _set_cookie(response, browser, SESSION_COOKIE, started.session_token, max(ttl, 1))
    return response


def _refused(exc: AppError, profile: str, browser: Browser) -> Response:
    response = error_page(exc, LOGIN_REFUSED)
    _set_cookie(response, browser, PROFILE_COOKIE, profile, _PROFILE_AGE)
    return response


def _token(browser: Browser) -> str:
    return browser.request.cookies.get(SESSION_COOKIE, "")


def _form_token(browser: Browser, acting: Acting) -> str:
    return csrf_token(
        browser.settings.id_token_secret.get_secret_value(),
        request_id=_CSRF_PURPOSE,
        account_id=acting.session_id,
        identity_token=_token(browser),
    )


def _role_label(code: str) -> str:
    return label_of(ROLES, code) or code


def _console_page(
    browser: Browser, outcome: Outcome, area: str, sent: tuple[str, str] | None = None
) -> Response:
    """The console's frame: who acts for whom, the areas, and this action's outcome."""
    if outcome.acting is None or outcome.ended:
        return _ended(outcome)
    acting = outcome.acting
    return page(
        "console.html",
        200 if outcome.decision.allow else 403,
        acting=acting,
        roles=[_role_label(r) for r in acting.roles],
        areas=[(code, _role_label(code)) for code in AREAS],
        area=area,
        area_label=_role_label(area) if area in AREAS else "Creator IM",
        allowed=outcome.decision.allow,
        reason=outcome.decision.reason,
        csrf_token=_form_token(browser, acting),
        sent=sent,
    )


def _ended(outcome: Outcome) -> HTMLResponse:
    return page(
        "console_ended.html",
        403,
        acting=outcome.acting,
        reason=outcome.decision.reason,
        logged_out=False,
    )


@router.get(LOCAL_CONSOLE_PATH)
async def home(browser: BrowserDep) -> Response:
    """Who acts for whom; no action yet, so no decision (the areas ask one each)."""
    acting = await service.acting(browser.sessionmaker, _token(browser))
    return _console_page(browser, service.opened(acting), "home")


@router.get(f"{LOCAL_CONSOLE_PATH}/areas/{{area}}")
async def area(area: str, browser: BrowserDep) -> Response:
    if area not in AREAS:
        refusal = BadRequest("no such console area", error=Reason.INVALID_REQUEST)
        return error_page(refusal, LOGIN_REFUSED)
    action = f"seller_center.{area}"
    outcome = await service.ask(browser.sessionmaker, browser.settings, _token(browser), action)
    return _console_page(browser, outcome, area)


@router.get(f"{LOCAL_CONSOLE_PATH}/creator-im")
async def creator_im(browser: BrowserDep) -> Response:
    outcome = await service.ask(
        browser.sessionmaker, browser.settings, _token(browser), "creator_im.read"
    )
    return _console_page(browser, outcome, "creator_im")


@router.post(f"{LOCAL_CONSOLE_PATH}/creator-im")
async def send_to_creator(
    browser: BrowserDep,
    creator: str = Form(min_length=1, max_length=80),
    message: str = Form(min_length=1, max_length=1000),
    csrf: str | None = Form(default=None, alias="csrf_token", max_length=128),
) -> Response:
    refusal = cross_site_refusal(browser.request, browser.settings)
    if refusal is not None:
        return error_page(refusal, LOGIN_REFUSED)
    token = _token(browser)
    acting = await service.acting(browser.sessionmaker, token)
    if acting is not None:
        forged = csrf_refusal(_form_token(browser, acting), csrf)
        if forged is not None:
            return error_page(forged, LOGIN_REFUSED)
    outcome = await service.ask(browser.sessionmaker, browser.settings, token, CREATOR_IM_SEND)
    return _console_page(browser, outcome, "creator_im", sent=(creator, message))


@router.post(f"{LOCAL_CONSOLE_PATH}/logout")
async def logout(browser: BrowserDep, request: Request) -> Response:
    refusal = cross_site_refusal(request, browser.settings)
    if refusal is not None:
        return error_page(refusal, LOGIN_REFUSED)
    token = _token(browser)
    if token:
        try:
            await service.log_out(browser.session, token)
        except AppError:
            await browser.session.rollback()  # an unknown or ended session: nothing to end
    response = page("console_ended.html", acting=None, reason=None, logged_out=True)
    response.delete_cookie(SESSION_COOKIE, path=LOCAL_CONSOLE_PATH)
    return response
