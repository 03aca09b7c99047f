"""The QR card page: `/bc/business-centers/{bc}/access-requests/{id}` (seed 003 step 1,
"Click Copy QR card to download and share the QR code with the TikTok account owner").

A Business Center admin opens it in the browser, signed in with the identity cookie like the
approval page (``web.sign_in``). The image is the API's `qr.png`, which takes the same cookie.
Headers as on every page of ours, plus ``img-src 'self'`` for the QR code.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from tsp_auth.business_centers import catalogue, repository, service
from tsp_auth.business_centers.pages import QR_ERRORS
from tsp_auth.kit import urls
from tsp_auth.kit.errors import Gone
from tsp_auth.web.browser import Browser, BrowserDep
from tsp_auth.web.pages import page
from tsp_auth.web.sign_in import SignedIn, signed_in_page

router = APIRouter(tags=["business center page"], include_in_schema=False)


async def _card(
    browser: Browser, who: SignedIn, business_center_id: str, request_id: str
) -> Response:
    session = browser.session
    row = await service.admin_request(
        session, who.caller, business_center_id, request_id, "bc_access.card"
    )
    status = service.effective_request_status(row)
    if status != "pending":
        raise Gone(f"the access request is {status}", error=service.gone(status))
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


@router.get("/bc/business-centers/{business_center_id}/access-requests/{request_id}")
async def card_page(business_center_id: str, request_id: str, browser: BrowserDep) -> Response:
    here = urls.bc_card_path(business_center_id, request_id)
    return await signed_in_page(
        browser, here, QR_ERRORS, lambda who: _card(browser, who, business_center_id, request_id)
    )
