"""The built-in consent page (DESIGN §3): server-rendered HTML over the consent service.

HTTP only: the caller comes from the identity cookie, the form is checked for its origin and
CSRF token, and the same service functions as the JSON API decide. No JavaScript anywhere.
See docs/consent.md, "The built-in consent page".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth import urls
from tsp_auth.audit.service import record_denial
from tsp_auth.config import Settings
from tsp_auth.consent import page_model, service
from tsp_auth.consent.csrf import (
    cross_site_refusal,
    csrf_refusal,
    csrf_token,
)
from tsp_auth.consent.form import Picked, consent_of, read_form
from tsp_auth.consent.outcome import read_outcome
from tsp_auth.consent.pages import page_headers
from tsp_auth.consent.router import SettingsDep
from tsp_auth.consent.service import ConsentView, Decided
from tsp_auth.db import SessionDep
from tsp_auth.errors import AppError, BadRequest, Unauthorized
from tsp_auth.identity.callers import IDENTITY_COOKIE, Caller, resolve_caller
from tsp_auth.observability.context import current_request_id
from tsp_auth.rate_limits import limit_attempt
from tsp_auth.templating import render

router = APIRouter(tags=["consent page"], include_in_schema=False)

_TITLES: Mapping[str, str] = {
    "not_main_account": "Only the main account can authorize",
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


async def _signed_in(request: Request, session: AsyncSession) -> SignedIn | None:
    """The caller named by the identity cookie; None when it is missing or refused."""
    token = request.cookies.get(IDENTITY_COOKIE)
    if not token:
        return None
    try:
        caller = await resolve_caller(session, request.app.state.identity_codec, token)
    except Unauthorized:
        return None
    return SignedIn(caller, token)


def _page(
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


def _error(exc: AppError) -> HTMLResponse:
    """An AppError as a page with its status and reason code, never a stack trace."""
    title = _TITLES.get(exc.error) or _STATUS_TITLES.get(exc.status_code, "Something went wrong")
    return _page(
        "consent_error.html",
        exc.status_code,
        headers=exc.headers,
        title=title,
        description=exc.description,
        help=_HELP.get(exc.error),
        error=exc.error,
    )


def _see_other(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303, headers=page_headers())


def _sign_in(settings: Settings, return_to: str) -> Response:
    if settings.dev_issuer_enabled:
        return _see_other(urls.dev_sign_in_path(return_to))
    challenge = {"WWW-Authenticate": 'Bearer realm="tsp-auth"'}
    return _error(Unauthorized("You are not signed in.", error="login_required", headers=challenge))


def _csrf(settings: Settings, request_id: str, signed_in: SignedIn) -> str:
    return csrf_token(
        settings.id_token_secret.get_secret_value(),
        request_id=request_id,
        account_id=signed_in.caller.account_id,
        identity_token=signed_in.identity_token,
    )


def _form_page(
    view: ConsentView,
    signed_in: SignedIn,
    settings: Settings,
    picked: Picked,
    refusal: AppError | None = None,
) -> HTMLResponse:
    request = view.request
    return_url = view.catalogue.services[request.service_id].return_url
    return _page(
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
        csrf_token=_csrf(settings, request.id, signed_in),
        refusal=refusal,
        refusal_help=page_model.REASON_HELP.get(refusal.error) if refusal else None,
    )


@router.get("/consent/{request_id}")
async def consent_page(
    request_id: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    signed_in = await _signed_in(request, session)
    if signed_in is None:
        return _sign_in(settings, urls.consent_page_path(request_id))
    try:
        view = await service.consent_view(session, settings, signed_in.caller, request_id)
        if not view.can_decide:
            service.require_main_account(signed_in.caller)  # seed 000: refuses a sub-account
    except AppError as exc:
        return _error(exc)
    return _form_page(view, signed_in, settings, page_model.initial_picks(view))


async def _decide(
    session: AsyncSession, settings: Settings, caller: Caller, request_id: str, form: Picked
) -> Decided:
    if form.decision == "reject":
        return await service.reject_consent(session, settings, caller, request_id)
    if form.decision != "accept":
        raise BadRequest("press Accept or Reject", error="invalid_request")
    body = consent_of(form)
    return await service.accept_consent(session, settings, caller, request_id, body)


@router.post("/consent/{request_id}")
async def decide(
    request_id: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """Accept or reject from the form, then 303 to where the JSON API says (``redirect_to``)."""
    refusal = cross_site_refusal(request)
    if refusal is not None:
        return _error(refusal)
    signed_in = await _signed_in(request, session)
    if signed_in is None:
        return _sign_in(settings, urls.consent_page_path(request_id))
    await limit_attempt(request, "consent", signed_in.caller.account_id)
    form = await request.form()
    forged = csrf_refusal(_csrf(settings, request_id, signed_in), form.get("csrf_token"))
    if forged is not None:
        return _error(forged)
    picked = read_form(form.multi_items())
    try:
        decided = await _decide(session, settings, signed_in.caller, request_id, picked)
    except AppError as exc:
        # The answer is a page, not a raised error, so the session dependency would commit:
        # undo whatever the refused decision flushed first (STYLE §3, one unit of work).
        await session.rollback()
        if exc.audit is not None:
            # The JSON API's error handler records refusals; this page answers them itself.
            await record_denial(request.app.state.sessionmaker, exc.audit, exc.error)
        return await _refused(session, settings, signed_in, request_id, picked, exc)
    return _see_other(decided.redirect_to)


async def _refused(
    session: AsyncSession,
    settings: Settings,
    signed_in: SignedIn,
    request_id: str,
    picked: Picked,
    refusal: AppError,
) -> HTMLResponse:
    """A 400 (policy or form) shows the form again with the seller's picks; others a page."""
    if refusal.status_code != 400:
        return _error(refusal)
    try:
        view = await service.consent_view(session, settings, signed_in.caller, request_id)
    except AppError as exc:
        return _error(exc)
    return _form_page(view, signed_in, settings, picked, refusal)


@router.get("/consent/{request_id}/done")
async def done_page(
    request_id: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """Where the seller lands when the service has no return URL."""
    signed_in = await _signed_in(request, session)
    if signed_in is None:
        return _sign_in(settings, urls.consent_done_path(request_id))
    try:
        outcome = await read_outcome(session, signed_in.caller, request_id)
    except AppError as exc:
        return _error(exc)
    if outcome.status == "pending":
        return _see_other(urls.consent_page_path(request_id))
    return _page("consent_done.html", outcome=outcome, decided=page_model.when(outcome.decided_at))
