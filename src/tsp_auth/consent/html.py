"""The built-in consent page (DESIGN §3): server-rendered HTML over the consent service.

HTTP only: the caller comes from the identity cookie (``web.sign_in``), the form goes through
the one HTML decide flow (``web.decide``: origin, sign-in, attempts, CSRF), and the same
service functions as the JSON API decide. No JavaScript anywhere. A partner app's request
(seed 004) opens the same URL and is answered by the pages ``app.py`` hands in
(``tsp_auth.partner_apps.pages``, which imports consent: hence no import the other way). See
docs/consent.md, "The built-in consent page".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from tsp_auth.consent import page_model, service
from tsp_auth.consent.form import Picked, consent_of, read_form
from tsp_auth.consent.outcome import read_outcome
from tsp_auth.consent.service import ConsentView, Decided
from tsp_auth.deps import SettingsDep
from tsp_auth.identity.callers import Caller
from tsp_auth.identity.guards import require_main_account
from tsp_auth.kit import urls
from tsp_auth.kit.errors import AppError, BadRequest
from tsp_auth.kit.rate_limits import Endpoint
from tsp_auth.policy import Reason
from tsp_auth.web import decide as web_decide
from tsp_auth.web.browser import Browser, BrowserDep
from tsp_auth.web.csrf import form_token
from tsp_auth.web.decide import PageDecision
from tsp_auth.web.error_pages import REQUEST_ERRORS
from tsp_auth.web.pages import page, see_other
from tsp_auth.web.sign_in import SignedIn, signed_in_page


@dataclass(frozen=True, slots=True)
class AppPages:
    """How a partner app's request is shown and decided on the same URL (seed 004)."""

    is_app_request: Callable[[AsyncSession, str], Awaitable[bool]]
    show: Callable[[Browser, SignedIn, str], Awaitable[Response]]
    decision: Callable[[Browser, str], PageDecision]


router = APIRouter(tags=["consent page"], include_in_schema=False)


def _form_page(
    view: ConsentView,
    who: SignedIn,
    browser: Browser,
    picked: Picked,
    refusal: AppError | None = None,
) -> HTMLResponse:
    request = view.request
    return_url = view.catalogue.services[request.service_id].return_url
    return page(
        "consent.html",
        400 if refusal else 200,
        # Where our 303 after the submission may go (see web.headers.page_headers).
        form_targets=(return_url, request.redirect_uri),
        form_action=urls.consent_page_path(request.id),
        view=view,
        seller=view.catalogue.seller,
        expires=page_model.when(request.expires_at),
        services=[page_model.service_block(c, picked, request.purpose) for c in view.services],
        durations=page_model.durations(view),
        authorized=page_model.already_authorized(view),
        picked=picked,
        csrf_token=form_token(browser.settings, request.id, who),
        refusal=page_model.refusal_of(refusal, view) if refusal else None,
        unavailable=page_model.unavailable_text(view),
    )


async def _view_page(
    browser: Browser,
    who: SignedIn,
    request_id: str,
    picked: Picked | None = None,
    refusal: AppError | None = None,
) -> HTMLResponse:
    """The form: fresh (``picked`` None), or again after a refusal with the seller's picks."""
    view = await service.consent_view(browser.session, browser.settings, who.caller, request_id)
    if picked is None:
        if not view.can_decide:
            require_main_account(who.caller)  # seed 000: refuses a sub-account
        picked = page_model.initial_picks(view)
    return _form_page(view, who, browser, picked, refusal)


async def _show(apps: AppPages, browser: Browser, who: SignedIn, request_id: str) -> Response:
    if await apps.is_app_request(browser.session, request_id):
        return await apps.show(browser, who, request_id)
    return await _view_page(browser, who, request_id)


async def _decided(browser: Browser, caller: Caller, request_id: str, form: Picked) -> Decided:
    session, settings = browser.session, browser.settings
    if form.decision == "reject":
        return await service.reject_consent(session, settings, caller, request_id)
    if form.decision != "accept":
        raise BadRequest("press Accept or Reject", error=Reason.INVALID_REQUEST)
    body = consent_of(form)
    return await service.accept_consent(session, settings, caller, request_id, body)


class _ConsentDecision:
    """`/consent/{id}` decides a seller's request (seed 000) or a partner app's (seed 004);
    which one is read only once the form has passed its checks (``web.decide``)."""

    attempt: Endpoint = "consent"
    wording = REQUEST_ERRORS

    def __init__(self, apps: AppPages, browser: Browser, request_id: str) -> None:
        self.apps, self.browser, self.request_id = apps, browser, request_id
        self.here = urls.consent_page_path(request_id)
        self.app: PageDecision | None = None

    async def bound_to(self, who: SignedIn) -> str:
        return self.request_id

    async def decide(self, who: SignedIn, form: FormData) -> Response:
        """Accept or reject, then 303 to where the JSON API says (``redirect_to``)."""
        if await self.apps.is_app_request(self.browser.session, self.request_id):
            self.app = self.apps.decision(self.browser, self.request_id)
            return await self.app.decide(who, form)
        picked = read_form(form.multi_items())
        decided = await _decided(self.browser, who.caller, self.request_id, picked)
        return see_other(decided.redirect_to)

    async def refused(self, who: SignedIn, form: FormData, refusal: AppError) -> Response:
        if self.app is not None:
            return await self.app.refused(who, form, refusal)
        picked = read_form(form.multi_items())
        return await web_decide.form_again(
            refusal,
            self.wording,
            lambda: _view_page(self.browser, who, self.request_id, picked, refusal),
        )


async def _done(browser: Browser, who: SignedIn, request_id: str) -> Response:
    outcome = await read_outcome(browser.session, who.caller, request_id)
    if outcome.status == "pending":
        return see_other(urls.consent_page_path(request_id))
    return page("consent_done.html", outcome=outcome, decided=page_model.when(outcome.decided_at))


@router.get("/consent/{request_id}/done")
async def done_page(request_id: str, browser: BrowserDep) -> Response:
    """Where the seller lands when the service has no return URL."""
    here = urls.consent_done_path(request_id)
    return await signed_in_page(
        browser, here, REQUEST_ERRORS, lambda who: _done(browser, who, request_id)
    )


@router.get("/terms")
async def terms_page(settings: SettingsDep) -> Response:
    """seed 001: the seller must "confirm the terms and conditions": here they are, versioned."""
    return page("terms.html", version=settings.terms_version)


def consent_page_router(apps: AppPages) -> APIRouter:
    """The consent page's routes, with the partner app pages ``apps`` for app requests."""
    pages = APIRouter(tags=["consent page"], include_in_schema=False)

    @pages.get("/consent/{request_id}")
    async def consent_page(request_id: str, browser: BrowserDep) -> Response:
        here = urls.consent_page_path(request_id)
        return await signed_in_page(
            browser, here, REQUEST_ERRORS, lambda who: _show(apps, browser, who, request_id)
        )

    @pages.post("/consent/{request_id}")
    async def decide(request_id: str, browser: BrowserDep) -> Response:
        return await web_decide.decide(browser, _ConsentDecision(apps, browser, request_id))

    pages.include_router(router)
    return pages
