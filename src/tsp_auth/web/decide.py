"""The one HTML decide flow: a form that approves or refuses a request, posted to its page.

The consent page, the partner's app authorization page and the Business Center approval page
(seeds 000, 003, 004) differ in what they show and which service decides; the checks around
the decision, and their order, are the same and live here:

1. the form's origin (``web.csrf.cross_site_refusal``), before anything is read;
2. the cookie sign-in (else to the sign-in page, which comes back here);
3. the attempt budget of the account (``deps.limit_attempt``; 429 past it);
4. the CSRF token, bound to what the page decides (``PageDecision.bound_to``);
5. the decision; a refusal is answered as a page, so the request's session, which would
   commit, is rolled back first (STYLE §3) and the refusal recorded (the JSON API's error
   handler does that for the API).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from fastapi import Response
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from tsp_auth.audit.service import record_denial
from tsp_auth.deps import limit_attempt
from tsp_auth.kit.errors import AppError
from tsp_auth.kit.rate_limits import Endpoint
from tsp_auth.web.browser import Browser
from tsp_auth.web.csrf import cross_site_refusal, csrf_refusal, form_token
from tsp_auth.web.error_pages import ErrorWording, error_page
from tsp_auth.web.sign_in import SignedIn, sign_in, signed_in


class PageDecision(Protocol):
    """What a decision page supplies to ``decide``; one instance per request."""

    here: str  # the page's path: where the sign-in page comes back to
    attempt: Endpoint  # whose attempt budget a post spends
    wording: ErrorWording  # how this page words its errors

    async def bound_to(self, who: SignedIn) -> str:
        """What the form's CSRF token is bound to (it may read what the page decides)."""
        ...

    async def decide(self, who: SignedIn, form: FormData) -> Response:
        """Decide through the feature's service; the page or redirect that follows."""
        ...

    async def refused(self, who: SignedIn, form: FormData, refusal: AppError) -> Response:
        """The page of a refusal (the session is rolled back by then)."""
        ...


async def decide(browser: Browser, page: PageDecision) -> Response:
    request, settings = browser.request, browser.settings
    cross_site = cross_site_refusal(request, settings)
    if cross_site is not None:
        return error_page(cross_site, page.wording)
    who = await signed_in(browser)
    if who is None:
        return sign_in(settings, page.here)
    await limit_attempt(request, page.attempt, who.caller.account_id)
    form = await request.form()
    try:
        expected = form_token(settings, await page.bound_to(who), who)
        forged = csrf_refusal(expected, form.get("csrf_token"))
        if forged is not None:
            raise forged
        return await page.decide(who, form)
    except AppError as exc:
        await browser.session.rollback()
        if exc.audit is not None:
            await record_denial(browser.sessionmaker, exc.audit, exc.error)
        return await page.refused(who, form, exc)


async def form_again(
    refusal: AppError, wording: ErrorWording, show: Callable[[], Awaitable[HTMLResponse]]
) -> HTMLResponse:
    """A 400 (policy or form) shows the form again (``show``) with what was chosen, so the
    caller fixes it and posts again; any other refusal is an error page."""
    if refusal.status_code != 400:
        return error_page(refusal, wording)
    try:
        return await show()
    except AppError as exc:
        return error_page(exc, wording)
