"""The cookie sign-in of the pages (docs/identity.md): the identity cookie ``tsp_identity``
names the caller of every server-rendered page, as a bearer token names the caller of the API.

tsp-auth signs nobody in (the platform does): in production the cookie comes from the
platform's login; in development the sign-in page (``web.dev_pages``) sets it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Response

from tsp_auth.clock import now
from tsp_auth.config import Settings
from tsp_auth.crypto.identity import IdentityCodec
from tsp_auth.identity.callers import (
    BEARER_CHALLENGE,
    IDENTITY_COOKIE,
    Caller,
    account_id_of,
    known_caller,
)
from tsp_auth.kit import urls
from tsp_auth.kit.errors import AppError, Unauthorized
from tsp_auth.live.caller_state import caller_account
from tsp_auth.policy import Reason
from tsp_auth.web.browser import Browser
from tsp_auth.web.error_pages import ErrorWording, error_page
from tsp_auth.web.pages import see_other

_NOT_SIGNED_IN = ErrorWording(
    default_title="Sign in to continue",
    default_help=(
        "tsp-auth does not sign people in: the TikTok Shop platform does. Sign in to "
        "Seller Center, then open the authorization link again."
    ),
)


@dataclass(frozen=True, slots=True)
class SignedIn:
    caller: Caller
    identity_token: str  # the cookie's value: CSRF tokens are bound to this sign-in


async def signed_in(browser: Browser) -> SignedIn | None:
    """The caller named by the identity cookie; None when it is missing or refused."""
    token = browser.request.cookies.get(IDENTITY_COOKIE)
    if not token:
        return None
    try:
        account_id = account_id_of(browser.codec, token)
        caller = known_caller(await caller_account(browser.session, account_id))
    except Unauthorized:
        return None
    return SignedIn(caller, token)


def sign_in(settings: Settings, return_to: str) -> Response:
    """The answer to a page opened without a sign-in: the development sign-in page, which
    comes back to ``return_to``; without it, a 401 page (RFC 9110 §15.5.2: with a challenge)."""
    if settings.dev_issuer_enabled:
        return see_other(urls.dev_sign_in_path(return_to))
    refusal = Unauthorized(
        "You are not signed in.", error=Reason.LOGIN_REQUIRED, headers=BEARER_CHALLENGE
    )
    return error_page(refusal, _NOT_SIGNED_IN)


async def signed_in_page(
    browser: Browser,
    here: str,
    wording: ErrorWording,
    show: Callable[[SignedIn], Awaitable[Response]],
) -> Response:
    """A page for the signed-in caller (``show``); without a sign-in, the sign-in, which comes
    back to ``here``; a refusal, the error page in this page's ``wording``."""
    who = await signed_in(browser)
    if who is None:
        return sign_in(browser.settings, here)
    try:
        return await show(who)
    except AppError as exc:
        return error_page(exc, wording)


def set_identity_cookie(
    response: Response, settings: Settings, codec: IdentityCodec, account_id: str
) -> None:
    """Sign ``account_id`` in for ``identity_token_ttl``: the cookie every page reads."""
    ttl = settings.identity_token_ttl
    response.set_cookie(
        IDENTITY_COOKIE,
        codec.encode(account_id, now=now(), lifetime=ttl),
        max_age=int(ttl.total_seconds()),
        httponly=True,
        samesite="lax",
        # The issuer, not the request: behind a TLS-terminating proxy the request is http.
        secure=settings.issuer_is_https,
        path="/",
    )
