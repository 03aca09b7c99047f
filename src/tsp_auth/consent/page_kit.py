"""What every built-in decision page shares: the signed-in caller, its CSRF token, the page and
error responses. The seller's consent page (``consent.html``) and the partner's app
authorization page (``partner_apps.pages``) both use it, so both read and refuse alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth import urls
from tsp_auth.config import Settings
from tsp_auth.consent.csrf import csrf_token
from tsp_auth.consent.pages import page_headers
from tsp_auth.crypto.identity import IdentityCodec
from tsp_auth.errors import AppError, Unauthorized
from tsp_auth.identity.callers import IDENTITY_COOKIE, Caller, resolve_caller
from tsp_auth.observability.context import current_request_id
from tsp_auth.policy import Reason
from tsp_auth.templating import render

_TITLES: Mapping[str, str] = {
    "not_main_account": "Only the main account can authorize",
    "partner_admin_required": "Only your partner's admin can authorize apps",
    "request_expired": "This authorization request has expired",
    "request_already_decided": "This authorization request was already decided",
    "login_required": "Sign in to continue",
}
_STATUS_TITLES: Mapping[int, str] = {
    403: "You cannot decide this request",
    404: "Authorization request not found",
}
_HELP: Mapping[str, str] = {
    "not_main_account": (
        "Only the main account of the seller can authorize a partner (sub-accounts can look, "
        "not decide). Ask the holder of the main account to open the authorization link."
    ),
    "partner_admin_required": (
        "Members of a partner can look at an app's request; an admin of the partner decides. "
        "Ask your admin to open the authorization link."
    ),
    "request_expired": "Ask the partner for the authorization link again and open it anew.",
    "request_already_decided": "Nothing more to do here; you can close this page.",
    "login_required": (
        "tsp-auth does not sign people in: the TikTok Shop platform does. Sign in to "
        "Seller Center, then open the authorization link again."
    ),
}


@dataclass(frozen=True, slots=True)
class SignedIn:
    caller: Caller
    identity_token: str


async def signed_in(
    request: Request, session: AsyncSession, codec: IdentityCodec
) -> SignedIn | None:
    """The caller named by the identity cookie; None when it is missing or refused."""
    token = request.cookies.get(IDENTITY_COOKIE)
    if not token:
        return None
    try:
        caller = await resolve_caller(session, codec, token)
    except Unauthorized:
        return None
    return SignedIn(caller, token)


def page(
    template: str,
    status: int = 200,
    *,
    form_targets: Iterable[str | None] = (),
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    html = render(template, request_id=current_request_id(), **context)
    return HTMLResponse(
        html, status_code=status, headers={**page_headers(form_targets), **(headers or {})}
    )


def error(exc: AppError) -> HTMLResponse:
    """An AppError as a page with its status and reason code, never a stack trace."""
    title = _TITLES.get(exc.error) or _STATUS_TITLES.get(exc.status_code, "Something went wrong")
    return page(
        "consent_error.html",
        exc.status_code,
        headers=exc.headers,
        title=title,
        description=exc.description,
        help=_HELP.get(exc.error),
        error=exc.error,
    )


def see_other(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303, headers=page_headers())


def sign_in(settings: Settings, return_to: str) -> Response:
    if settings.dev_issuer_enabled:
        return see_other(urls.dev_sign_in_path(return_to))
    challenge = {"WWW-Authenticate": 'Bearer realm="tsp-auth"'}
    return error(
        Unauthorized("You are not signed in.", error=Reason.LOGIN_REQUIRED, headers=challenge)
    )


def csrf(settings: Settings, request_id: str, who: SignedIn) -> str:
    return csrf_token(
        settings.id_token_secret.get_secret_value(),
        request_id=request_id,
        account_id=who.caller.account_id,
        identity_token=who.identity_token,
    )


@dataclass(frozen=True, slots=True)
class Refusal:
    """A refused decision as a page shows it: the seller's (or partner's) words first; the
    reason code stays for the API and as a reference for support (docs/consent.md)."""

    message: str
    code: str
