"""The built-in page for a partner app's request (seed 004): the TAP partner's admin sees the
app, its owner and scopes, chooses the category, and authorizes or denies.

It answers `/consent/{request_id}` when the request is an app's, and decides through the same
functions as the JSON API (``partner_apps.requests``), so both refuse alike and write alike.
The checks around the decision are the one HTML decide flow's (``web.decide``), entered from
``consent.html``, which owns the URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from fastapi import Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from starlette.datastructures import FormData

from tsp_auth.kit import urls
from tsp_auth.kit.errors import AppError, BadRequest, Forbidden
from tsp_auth.kit.rate_limits import Endpoint
from tsp_auth.partner_apps import requests
from tsp_auth.partner_apps.requests import AppRequestView
from tsp_auth.partner_apps.rules import CATEGORY_LABELS
from tsp_auth.partner_apps.schemas import AppAuthorizationAccept
from tsp_auth.policy import Reason
from tsp_auth.web.browser import Browser
from tsp_auth.web.csrf import form_token
from tsp_auth.web.decide import form_again
from tsp_auth.web.error_pages import REQUEST_ERRORS
from tsp_auth.web.pages import Refusal, page, see_other
from tsp_auth.web.sign_in import SignedIn

# What each partner scope lets the app do, in the partner's words (seed 004 "Affiliate
# Partner APIs"); an unknown scope is shown by its key.
SCOPE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "partner.affiliate.read": "See your affiliate (TAP) collaborations and their results",
        "partner.affiliate.write": "Manage affiliate (TAP) collaborations on your behalf",
        "partner.creator.read": "See the creators you work with",
    }
)
REASON_HELP: Mapping[str, str] = MappingProxyType(
    {
        Reason.PARTNER_ADMIN_REQUIRED: "Only an admin of your partner can authorize apps.",
        Reason.PARTNER_NOT_TAP_ENROLLED: (
            "Your partner is not enrolled in Seller and Scalable Creator Match-up (TAP), "
            "which partner authorization needs."
        ),
        Reason.APP_IN_DEVELOPMENT: (
            "This app is still in development: until it launches, only the partner that owns "
            "it can authorize it."
        ),
        Reason.CATEGORY_NOT_SUPPORTED: "Choose Seller and Scalable Creator Match-up.",
        Reason.INVALID_SCOPE: "Choose at least one of the permissions the app asks for.",
        Reason.UNAUTHORIZED_CLIENT: "This app cannot be authorized any more.",
    }
)


def _form_page(
    view: AppRequestView,
    who: SignedIn,
    browser: Browser,
    chosen: tuple[frozenset[str], str] | None = None,
    refusal: AppError | None = None,
) -> HTMLResponse:
    scopes, category = chosen if chosen is not None else (view.scopes, "")
    return page(
        "app_consent.html",
        400 if refusal else 200,
        # The 303 after the submission goes to the app's redirect URI (see web.headers).
        form_targets=(view.request.redirect_uri,),
        form_action=urls.consent_page_path(view.request.id),
        view=view,
        scopes=[(s, SCOPE_LABELS.get(s, s), s in scopes) for s in sorted(view.scopes)],
        categories=list(CATEGORY_LABELS.items()),
        category=category,
        blocked=REASON_HELP.get(view.refused_reason or "", view.refused_reason),
        csrf_token=form_token(browser.settings, view.request.id, who),
        refusal=_refusal(refusal) if refusal else None,
    )


def _refusal(exc: AppError) -> Refusal:
    return Refusal(REASON_HELP.get(exc.error, exc.description), exc.error)


async def show(browser: Browser, who: SignedIn, request_id: str) -> HTMLResponse:
    """Any account of a partner may look (as in the JSON API); the page is for its admin."""
    view = await requests.app_request_view(browser.session, who.caller, request_id)
    if not view.can_decide:
        raise Forbidden("only the partner's admin decides", error=Reason.PARTNER_ADMIN_REQUIRED)
    return _form_page(view, who, browser)


def _accept_body(category: str, scopes: list[str]) -> AppAuthorizationAccept:
    try:
        return AppAuthorizationAccept(category=category, scopes=scopes)
    except ValidationError:
        raise BadRequest("the form's choices are not valid", error=Reason.INVALID_REQUEST) from None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _chosen_scopes(form: FormData) -> list[str]:
    return sorted({v for v in form.getlist("scopes") if isinstance(v, str)})


class AppDecision:
    """The partner admin's decision on an app's request (``web.decide.PageDecision``)."""

    attempt: Endpoint = "consent"
    wording = REQUEST_ERRORS

    def __init__(self, browser: Browser, request_id: str) -> None:
        self.browser, self.request_id = browser, request_id
        self.here = urls.consent_page_path(request_id)

    async def bound_to(self, who: SignedIn) -> str:
        return self.request_id

    async def decide(self, who: SignedIn, form: FormData) -> Response:
        """Authorize or deny, then 303 to the app's redirect URI with ``code`` (or ``error``)."""
        session, settings = self.browser.session, self.browser.settings
        decision = form.get("decision")
        if decision == "reject":
            location = await requests.reject_app_authorization(
                session, settings, who.caller, self.request_id
            )
            return see_other(location)
        if decision != "accept":
            raise BadRequest("press Authorize or Deny", error=Reason.INVALID_REQUEST)
        body = _accept_body(_text(form.get("category")), _chosen_scopes(form))
        accepted = await requests.accept_app_authorization(
            session, settings, who.caller, self.request_id, body
        )
        return see_other(accepted.redirect_to)

    async def refused(self, who: SignedIn, form: FormData, refusal: AppError) -> Response:
        """A 400 shows the form again with the admin's choices."""
        chosen = (frozenset(_chosen_scopes(form)), _text(form.get("category")))
        return await form_again(
            refusal, self.wording, lambda: self._form_again(who, chosen, refusal)
        )

    async def _form_again(
        self, who: SignedIn, chosen: tuple[frozenset[str], str], refusal: AppError
    ) -> HTMLResponse:
        view = await requests.app_request_view(self.browser.session, who.caller, self.request_id)
        return _form_page(view, who, self.browser, chosen, refusal)
