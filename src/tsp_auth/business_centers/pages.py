"""The page a QR code opens: `/bc/authorize/{token}` (seed 003, docs/business-center.md).

The TikTok account owner, signed in (cookie ``tsp_identity``, ``web.sign_in``), approves or
rejects. Same protections as the consent page (docs/consent.md): no external resources, CSP
``frame-ancestors 'none'``, ``Referrer-Policy: no-referrer`` (the token is in the URL), and the
form checked for its origin and CSRF token before anything is decided (``web.decide``).
"""

from __future__ import annotations

from types import MappingProxyType

from fastapi import APIRouter, Response
from starlette.datastructures import FormData

from tsp_auth.business_centers import approval
from tsp_auth.business_centers.schemas import AccessOffer
from tsp_auth.kit import urls
from tsp_auth.kit.errors import AppError, BadRequest
from tsp_auth.kit.rate_limits import Endpoint
from tsp_auth.policy import Reason
from tsp_auth.web import decide as web_decide
from tsp_auth.web.browser import Browser, BrowserDep
from tsp_auth.web.csrf import form_token
from tsp_auth.web.error_pages import ErrorWording, error_page
from tsp_auth.web.pages import page
from tsp_auth.web.sign_in import SignedIn, signed_in_page

router = APIRouter(tags=["business center page"], include_in_schema=False)

QR_ERRORS = ErrorWording(
    default_title="This QR code cannot be used",
    titles=MappingProxyType(
        {
            "request_expired": "This QR code has expired",
            "request_already_decided": "This QR code was already used",
            "request_withdrawn": "This QR code was withdrawn",
            "tiktok_account_required": "Sign in with the TikTok account to authorize",
        }
    ),
)


async def _offer_page(browser: Browser, who: SignedIn, token: str) -> Response:
    offer = await approval.offer(browser.session, who.caller, token)
    return page(
        "bc_authorize.html",
        offer=offer,
        account_name=who.caller.name,
        expires=offer.expires_at.strftime("%Y-%m-%d %H:%M UTC"),
        form_action=urls.bc_authorize_path(token),
        # The token binds the access request, not the QR token: one per request and sign-in.
        csrf_token=form_token(browser.settings, offer.request_id, who),
    )


@router.get("/bc/authorize/{token}")
async def authorize_page(token: str, browser: BrowserDep) -> Response:
    here = urls.bc_authorize_path(token)
    return await signed_in_page(
        browser, here, QR_ERRORS, lambda who: _offer_page(browser, who, token)
    )


class _Approval:
    """The owner's answer to the QR code's request (``web.decide.PageDecision``)."""

    attempt: Endpoint = "approval"
    wording = QR_ERRORS

    def __init__(self, browser: Browser, token: str) -> None:
        self.browser, self.token = browser, token
        self.here = urls.bc_authorize_path(token)
        self.offer: AccessOffer | None = None

    async def bound_to(self, who: SignedIn) -> str:
        self.offer = await approval.offer(self.browser.session, who.caller, self.token)
        return self.offer.request_id

    async def decide(self, who: SignedIn, form: FormData) -> Response:
        assert self.offer is not None  # bound_to comes first
        session, decision = self.browser.session, form.get("decision")
        if decision == "approve":
            decided = await approval.approve(session, who.caller, self.token)
        elif decision == "reject":
            decided = await approval.reject(session, who.caller, self.token)
        else:
            raise BadRequest("press Approve or Reject", error=Reason.INVALID_REQUEST)
        return page(
            "bc_authorize_done.html",
            outcome=decided.status,
            business_center_name=self.offer.business_center_name,
        )

    async def refused(self, who: SignedIn, form: FormData, refusal: AppError) -> Response:
        return error_page(refusal, self.wording)


@router.post("/bc/authorize/{token}")
async def decide(token: str, browser: BrowserDep) -> Response:
    return await web_decide.decide(browser, _Approval(browser, token))
