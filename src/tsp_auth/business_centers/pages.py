"""The page a QR code opens: `/bc/authorize/{token}` (seed 003, docs/business-center.md).

The TikTok account owner, signed in (cookie ``tsp_identity``), approves or rejects. Same
protections as the consent page (docs/consent.md): no external resources, CSP
``frame-ancestors 'none'``, ``Referrer-Policy: no-referrer`` (the token is in the URL), and the
form checked for its origin and CSRF token before anything is decided.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth import urls
from tsp_auth.audit.service import record_denial
from tsp_auth.business_centers import approval
from tsp_auth.business_centers.schemas import AccessOffer
from tsp_auth.config import Settings
from tsp_auth.consent.csrf import (
    cross_site_refusal,
    csrf_refusal,
    csrf_token,
)
from tsp_auth.consent.pages import page_headers
from tsp_auth.crypto.identity import IdentityCodec
from tsp_auth.deps import IdentityCodecDep, SessionDep, SessionmakerDep, SettingsDep, limit_attempt
from tsp_auth.errors import AppError, BadRequest, Unauthorized
from tsp_auth.identity.callers import IDENTITY_COOKIE, Caller, resolve_caller
from tsp_auth.observability.context import current_request_id
from tsp_auth.policy import Reason
from tsp_auth.templating import render

router = APIRouter(tags=["business center page"], include_in_schema=False)

_TITLES = {
    "request_expired": "This QR code has expired",
    "request_already_decided": "This QR code was already used",
    "request_withdrawn": "This QR code was withdrawn",
    "tiktok_account_required": "Sign in with the TikTok account to authorize",
    "login_required": "Sign in to continue",
}


def _page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = render(template, request_id=current_request_id(), **context)
    return HTMLResponse(html, status_code=status, headers=page_headers())


def error_page(exc: AppError) -> HTMLResponse:
    return _page(
        "consent_error.html",
        exc.status_code,
        title=_TITLES.get(exc.error, "This QR code cannot be used"),
        description=exc.description,
        help=None,
        error=exc.error,
    )


async def cookie_caller(
    request: Request, session: AsyncSession, codec: IdentityCodec
) -> tuple[Caller, str] | None:
    token = request.cookies.get(IDENTITY_COOKIE)
    if not token:
        return None
    try:
        return await resolve_caller(session, codec, token), token
    except Unauthorized:
        return None


def _sign_in(settings: Settings, token: str) -> Response:
    if settings.dev_issuer_enabled:
        target = urls.dev_sign_in_path(urls.bc_authorize_path(token))
        return RedirectResponse(target, status_code=303, headers=page_headers())
    return error_page(Unauthorized("You are not signed in.", error=Reason.LOGIN_REQUIRED))


def _csrf(settings: Settings, offer: AccessOffer, caller: Caller, identity: str) -> str:
    return csrf_token(
        settings.id_token_secret.get_secret_value(),
        request_id=offer.request_id,
        account_id=caller.account_id,
        identity_token=identity,
    )


@router.get("/bc/authorize/{token}")
async def authorize_page(
    token: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    codec: IdentityCodecDep,
) -> Response:
    signed_in = await cookie_caller(request, session, codec)
    if signed_in is None:
        return _sign_in(settings, token)
    caller, identity = signed_in
    try:
        offer = await approval.offer(session, caller, token)
    except AppError as exc:
        return error_page(exc)
    return _page(
        "bc_authorize.html",
        offer=offer,
        account_name=caller.name,
        expires=offer.expires_at.strftime("%Y-%m-%d %H:%M UTC"),
        form_action=urls.bc_authorize_path(token),
        csrf_token=_csrf(settings, offer, caller, identity),
    )


@router.post("/bc/authorize/{token}")
async def decide(
    token: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    codec: IdentityCodecDep,
    sessionmaker: SessionmakerDep,
) -> Response:
    refusal = cross_site_refusal(request, settings)
    if refusal is not None:
        return error_page(refusal)
    signed_in = await cookie_caller(request, session, codec)
    if signed_in is None:
        return _sign_in(settings, token)
    caller, identity = signed_in
    await limit_attempt(request, "approval", caller.account_id)
    form = await request.form()
    try:
        offer = await approval.offer(session, caller, token)
        forged = csrf_refusal(_csrf(settings, offer, caller, identity), form.get("csrf_token"))
        if forged is not None:
            raise forged
        decision = await _decide(session, caller, token, form.get("decision"))
    except AppError as exc:
        # An answered page commits the session: undo what the refused decision flushed.
        await session.rollback()
        if exc.audit is not None:
            await record_denial(sessionmaker, exc.audit, exc.error)
        return error_page(exc)
    return _page(
        "bc_authorize_done.html",
        outcome=decision.status,
        business_center_name=offer.business_center_name,
    )


async def _decide(
    session: AsyncSession, caller: Caller, token: str, decision: object
) -> approval.Decision:
    if decision == "approve":
        return await approval.approve(session, caller, token)
    if decision == "reject":
        return await approval.reject(session, caller, token)
    raise BadRequest("press Approve or Reject", error=Reason.INVALID_REQUEST)
