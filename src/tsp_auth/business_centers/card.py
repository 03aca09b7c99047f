"""The QR card page: `/bc/business-centers/{bc}/access-requests/{id}` (seed 003 step 1,
"Click Copy QR card to download and share the QR code with the TikTok account owner").

A Business Center admin opens it in the browser, signed in with the identity cookie like the
approval page (``business_centers.pages``). The image is the API's `qr.png`, which takes the
same cookie. Headers as on the consent page, plus ``img-src 'self'`` for the QR code.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from tsp_auth import urls
from tsp_auth.business_centers import catalogue, repository, service
from tsp_auth.business_centers.pages import cookie_caller, error_page
from tsp_auth.consent.pages import page_headers
from tsp_auth.deps import IdentityCodecDep, SessionDep, SettingsDep
from tsp_auth.errors import AppError, Gone, Unauthorized
from tsp_auth.observability.context import current_request_id
from tsp_auth.policy import Reason
from tsp_auth.templating import render

router = APIRouter(tags=["business center page"], include_in_schema=False)


def _headers() -> dict[str, str]:
    headers = page_headers()
    csp = headers["Content-Security-Policy"]
    headers["Content-Security-Policy"] = csp.replace(
        "default-src 'none';", "default-src 'none'; img-src 'self';"
    )
    return headers


@router.get("/bc/business-centers/{business_center_id}/access-requests/{request_id}")
async def card_page(
    business_center_id: str,
    request_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    codec: IdentityCodecDep,
) -> Response:
    here = urls.bc_card_path(business_center_id, request_id)
    signed_in = await cookie_caller(request, session, codec)
    if signed_in is None:
        if settings.dev_issuer_enabled:
            target = urls.dev_sign_in_path(here)
            return RedirectResponse(target, status_code=303, headers=_headers())
        return error_page(Unauthorized("You are not signed in.", error=Reason.LOGIN_REQUIRED))
    try:
        caller, _ = signed_in
        row = await service.admin_request(
            session, caller, business_center_id, request_id, "bc_access.card"
        )
        status = service.effective_request_status(row)
        if status != "pending":
            raise Gone(f"the access request is {status}", error=service.gone(status))
    except AppError as exc:
        return error_page(exc)
    bc = await repository.get_business_center(session, row.business_center_id)
    assert bc is not None  # foreign key
    html = render(
        "bc_card.html",
        request_id=current_request_id(),
        business_center_name=bc.name,
        scope_label=catalogue.ACCESS_SCOPES[row.scope].label,
        qr_src=urls.bc_qr_path(bc.id, row.id),
        expires=row.expires_at.strftime("%Y-%m-%d %H:%M UTC"),
    )
    return HTMLResponse(html, headers=_headers())
