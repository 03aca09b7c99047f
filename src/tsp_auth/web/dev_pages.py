"""Development-only pages: a sign-in page for the built-in pages, and a stand-in partner
callback that shows what a partner's return URL receives. Never mounted in production.

The sign-in page sets the identity cookie (``web.sign_in``) and has the consent page's
protections (docs/security.md): the same security headers, an Origin check, and a CSRF token.
Before sign-in there is no identity to bind the token to, so the page sets a random nonce
cookie and the token is the HMAC of it (signed double-submit, OWASP CSRF cheat sheet); a
forged post carries neither (login CSRF).
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from tsp_auth.config import Settings
from tsp_auth.deps import IdentityCodecDep, SessionDep, SettingsDep, limit_attempt
from tsp_auth.identity.repository import demo_accounts
from tsp_auth.kit.errors import Forbidden, NotFound
from tsp_auth.models import Account
from tsp_auth.policy import Reason
from tsp_auth.registry import repository
from tsp_auth.web.csrf import cross_site_refusal, csrf_refusal, csrf_token
from tsp_auth.web.error_pages import ErrorWording, error_page
from tsp_auth.web.pages import page, see_other
from tsp_auth.web.sign_in import set_identity_cookie

router = APIRouter(tags=["development"], include_in_schema=False)

NONCE_COOKIE = "tsp_sign_in_nonce"
_NONCE_PATH = "/dev/login"
# What the token binds besides the nonce: never an authorization request id (``azr_…``).
_PURPOSE = "dev-sign-in"

# What each kind of account is, for the list of demo accounts (DESIGN §2, seeds 000/003/004).
ACCOUNT_ROLES = {
    ("seller", "main"): "Seller main account: authorizes, edits and cancels access",
    ("seller", "sub"): "Seller sub-account: sees the consent page, cannot decide",
    ("partner", "admin"): "Partner admin: sends links, assigns members, partner apps",
    ("partner", "member"): "Partner member: logs in to the shops assigned to it",
    ("business_center", "admin"): "Business Center admin: requests account access",
    ("business_center", "member"): "Business Center standard member",
    ("tiktok", "owner"): "TikTok account owner: approves Business Center access",
    ("operator", "operator"): "Platform operator: manages partners and services",
}

_REFUSED = ErrorWording(
    default_title="Sign-in refused",
    default_help="Open the sign-in page again and sign in from there.",
)


def _local_path(target: str) -> str:
    """Only same-site paths: the sign-in page must not become an open redirect."""
    parts = urlsplit(target)
    foreign = parts.scheme or parts.netloc or not target.startswith("/") or target[1:2] == "/"
    # Browsers read "\" as "/", so "/\evil.example" would name another host.
    if foreign or "\\" in target or any(ord(c) < 0x20 for c in target):
        return "/"
    return target


def _token(settings: Settings, nonce: str) -> str:
    secret = settings.id_token_secret.get_secret_value()
    return csrf_token(secret, request_id=_PURPOSE, account_id="", identity_token=nonce)


def _forged(request: Request, settings: Settings, given: str | None) -> Forbidden | None:
    """The refusal of a post without this browser's nonce cookie or with a wrong token."""
    nonce = request.cookies.get(NONCE_COOKIE)
    if not nonce:
        return csrf_refusal("", None)
    return csrf_refusal(_token(settings, nonce), given)


def _what(account: Account) -> str:
    return ACCOUNT_ROLES.get((account.kind, account.role), f"{account.kind} {account.role}")


@router.get("/dev/login", response_class=HTMLResponse)
async def login_page(
    request: Request, session: SessionDep, settings: SettingsDep, return_to: str = "/"
) -> Response:
    # One nonce per browser, kept across reloads and tabs, so every open form stays valid.
    nonce = request.cookies.get(NONCE_COOKIE) or secrets.token_urlsafe(32)
    accounts = [
        {"id": a.id, "name": a.name, "what": _what(a)} for a in await demo_accounts(session)
    ]
    response = page(
        "dev_sign_in.html",
        csrf_token=_token(settings, nonce),
        return_to=_local_path(return_to),
        accounts=accounts,
    )
    response.set_cookie(
        NONCE_COOKIE,
        nonce,
        httponly=True,
        samesite="strict",
        secure=settings.issuer_is_https,
        path=_NONCE_PATH,
    )
    return response


@router.post("/dev/login")
async def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    codec: IdentityCodecDep,
    account_id: str = Form(max_length=40),
    return_to: str = Form(default="/", max_length=2048),
    csrf: str | None = Form(default=None, alias="csrf_token", max_length=128),
) -> Response:
    refusal = cross_site_refusal(request, settings) or _forged(request, settings, csrf)
    if refusal is not None:
        return error_page(refusal, _REFUSED)
    await limit_attempt(request, "sign_in", account_id)
    account = await repository.get_account(session, account_id)
    if account is None:
        raise NotFound("no such account", error=Reason.UNKNOWN_ACCOUNT)
    response = see_other(_local_path(return_to))
    set_identity_cookie(response, settings, codec, account.id)
    return response


@router.get("/demo/partner-callback", response_class=HTMLResponse)
async def partner_callback(request: Request) -> HTMLResponse:
    """What a partner's return URL receives (``code``, ``state`` or ``error``), shown as is."""
    return page("partner_callback.html", received=list(request.query_params.items()))
