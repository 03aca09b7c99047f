"""The QR card page: `/bc/business-centers/{bc}/access-requests/{id}` (seed 003 step 1,
"Click Copy QR card to download and share the QR code with the TikTok account owner").

A Business Center admin opens it in the browser, signed in with the identity cookie like the
approval page (``web.sign_in``). The image is the API's `qr.png`, which takes the same cookie.
Headers as on every page of ours, plus ``img-src 'self'`` for the QR code.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from tsp_auth import urls
from tsp_auth.business_centers import catalogue, repository, service
from tsp_auth.business_centers.pages import QR_ERRORS
from tsp_auth.deps import IdentityCodecDep, SessionDep, SettingsDep
from tsp_auth.errors import AppError, Gone
from tsp_auth.web.error_pages import error_page
from tsp_auth.web.pages import page
from tsp_auth.web.sign_in import sign_in, signed_in

router = APIRouter(tags=["business center page"], include_in_schema=False)


@router.get("/bc/business-centers/{business_center_id}/access-requests/{request_id}")
async def card_page(
    business_center_id: str,
    request_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    codec: IdentityCodecDep,
) -> Response:
    who = await signed_in(request, session, codec)
    if who is None:
        return sign_in(settings, urls.bc_card_path(business_center_id, request_id))
    try:
        row = await service.admin_request(
            session, who.caller, business_center_id, request_id, "bc_access.card"
        )
        status = service.effective_request_status(row)
        if status != "pending":
            raise Gone(f"the access request is {status}", error=service.gone(status))
    except AppError as exc:
        return error_page(exc, QR_ERRORS)
    bc = await repository.get_business_center(session, row.business_center_id)
    assert bc is not None  # foreign key
    return page(
        "bc_card.html",
        own_images=True,
        business_center_name=bc.name,
        scope_label=catalogue.ACCESS_SCOPES[row.scope].label,
        qr_src=urls.bc_qr_path(bc.id, row.id),
        expires=row.expires_at.strftime("%Y-%m-%d %H:%M UTC"),
    )
