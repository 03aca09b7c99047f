"""The built-in consent page (DESIGN §3): server-rendered HTML over the consent service.

HTTP only: the caller comes from the identity cookie, the form is checked for its origin and
CSRF token, and the same service functions as the JSON API decide. No JavaScript anywhere.
A partner app's request (seed 004) opens the same URL and is answered by
``tsp_auth.partner_apps.pages``. See docs/consent.md, "The built-in consent page".
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth import urls
from tsp_auth.audit.service import record_denial
from tsp_auth.config import Settings
from tsp_auth.consent import page_model, service
from tsp_auth.consent.csrf import cross_site_refusal, csrf_refusal
from tsp_auth.consent.form import Picked, consent_of, read_form
from tsp_auth.consent.outcome import read_outcome
from tsp_auth.consent.page_kit import SignedIn, csrf, error, page, see_other, sign_in, signed_in
from tsp_auth.consent.service import ConsentView, Decided
from tsp_auth.deps import IdentityCodecDep, SessionDep, SessionmakerDep, SettingsDep, limit_attempt
from tsp_auth.errors import AppError, BadRequest
from tsp_auth.identity.callers import Caller
from tsp_auth.identity.guards import require_main_account
from tsp_auth.partner_apps import pages as app_pages
from tsp_auth.partner_apps.requests import is_app_request_id
from tsp_auth.policy import Reason

router = APIRouter(tags=["consent page"], include_in_schema=False)


def _form_page(
    view: ConsentView,
    who: SignedIn,
    settings: Settings,
    picked: Picked,
    refusal: AppError | None = None,
) -> HTMLResponse:
    request = view.request
    return_url = view.catalogue.services[request.service_id].return_url
    return page(
        "consent.html",
        400 if refusal else 200,
        # Where our 303 after the submission may go (see page_headers).
        form_targets=(return_url, request.redirect_uri),
        form_action=urls.consent_page_path(request.id),
        view=view,
        seller=view.catalogue.seller,
        expires=page_model.when(request.expires_at),
        services=[page_model.service_block(c, picked, request.purpose) for c in view.services],
        durations=page_model.durations(view),
        authorized=page_model.already_authorized(view),
        picked=picked,
        csrf_token=csrf(settings, request.id, who),
        refusal=page_model.refusal_of(refusal, view) if refusal else None,
        unavailable=page_model.unavailable_text(view),
    )


@router.get("/consent/{request_id}")
async def consent_page(
    request_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    codec: IdentityCodecDep,
) -> Response:
    who = await signed_in(request, session, codec)
    if who is None:
        return sign_in(settings, urls.consent_page_path(request_id))
    if await is_app_request_id(session, request_id):
        return await app_pages.show(session, settings, who, request_id)
    try:
        view = await service.consent_view(session, settings, who.caller, request_id)
        if not view.can_decide:
            require_main_account(who.caller)  # seed 000: refuses a sub-account
    except AppError as exc:
        return error(exc)
    return _form_page(view, who, settings, page_model.initial_picks(view))


async def _decide(
    session: AsyncSession, settings: Settings, caller: Caller, request_id: str, form: Picked
) -> Decided:
    if form.decision == "reject":
        return await service.reject_consent(session, settings, caller, request_id)
    if form.decision != "accept":
        raise BadRequest("press Accept or Reject", error=Reason.INVALID_REQUEST)
    body = consent_of(form)
    return await service.accept_consent(session, settings, caller, request_id, body)


@router.post("/consent/{request_id}")
async def decide(
    request_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    codec: IdentityCodecDep,
    sessionmaker: SessionmakerDep,
) -> Response:
    """Accept or reject from the form, then 303 to where the JSON API says (``redirect_to``)."""
    refusal = cross_site_refusal(request, settings)
    if refusal is not None:
        return error(refusal)
    who = await signed_in(request, session, codec)
    if who is None:
        return sign_in(settings, urls.consent_page_path(request_id))
    await limit_attempt(request, "consent", who.caller.account_id)
    form = await request.form()
    forged = csrf_refusal(csrf(settings, request_id, who), form.get("csrf_token"))
    if forged is not None:
        return error(forged)
    if await is_app_request_id(session, request_id):
        return await app_pages.decide(sessionmaker, session, settings, who, request_id, form)
    picked = read_form(form.multi_items())
    try:
        decided = await _decide(session, settings, who.caller, request_id, picked)
    except AppError as exc:
        # The answer is a page, not a raised error, so the session dependency would commit:
        # undo whatever the refused decision flushed first (STYLE §3, one unit of work).
        await session.rollback()
        if exc.audit is not None:
            # The JSON API's error handler records refusals; this page answers them itself.
            await record_denial(sessionmaker, exc.audit, exc.error)
        return await _refused(session, settings, who, request_id, picked, exc)
    return see_other(decided.redirect_to)


async def _refused(
    session: AsyncSession,
    settings: Settings,
    who: SignedIn,
    request_id: str,
    picked: Picked,
    refusal: AppError,
) -> HTMLResponse:
    """A 400 (policy or form) shows the form again with the seller's picks; others a page."""
    if refusal.status_code != 400:
        return error(refusal)
    try:
        view = await service.consent_view(session, settings, who.caller, request_id)
    except AppError as exc:
        return error(exc)
    return _form_page(view, who, settings, picked, refusal)


@router.get("/consent/{request_id}/done")
async def done_page(
    request_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    codec: IdentityCodecDep,
) -> Response:
    """Where the seller lands when the service has no return URL."""
    who = await signed_in(request, session, codec)
    if who is None:
        return sign_in(settings, urls.consent_done_path(request_id))
    try:
        outcome = await read_outcome(session, who.caller, request_id)
    except AppError as exc:
        return error(exc)
    if outcome.status == "pending":
        return see_other(urls.consent_page_path(request_id))
    return page("consent_done.html", outcome=outcome, decided=page_model.when(outcome.decided_at))


@router.get("/terms")
async def terms_page(settings: SettingsDep) -> Response:
    """seed 001: the seller must "confirm the terms and conditions": here they are, versioned."""
    return page("terms.html", version=settings.terms_version)
