"""`/open/authorize` (the seller's browser) and the JSON consent API (seller frontends)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import RedirectResponse

from tsp_auth import urls
from tsp_auth.consent import service
from tsp_auth.consent.authorize import STATE_PATTERN, parse_authorize_query
from tsp_auth.consent.schemas import (
    ConsentAccept,
    ConsentAccepted,
    ConsentRejected,
    ConsentRequestRead,
    GrantIssued,
)
from tsp_auth.deps import CallerDep, SessionDep, SettingsDep, caller_attempt
from tsp_auth.errors import AppError, responses
from tsp_auth.oauth.authorize import OAUTH_LINK_PARAMETERS
from tsp_auth.web.error_pages import LINK_ERRORS, error_page

router = APIRouter(tags=["consent"])


_HTML_ERROR = {"description": "An HTML error page (never a redirect)", "content": {"text/html": {}}}
_LINK_PARAMETERS: dict[str, Any] = {
    "parameters": [
        {
            "name": "service_id",
            "in": "query",
            "required": False,
            "description": "Required, unless `client_id` names a partner app (its service).",
            "schema": {"type": "string"},
        },
        {
            "name": "state",
            "in": "query",
            "required": False,
            "schema": {"type": "string", "pattern": STATE_PATTERN},
        },
        {
            "name": "purpose",
            "in": "query",
            "required": False,
            "schema": {"type": "string", "enum": ["authorize", "tsp_access"]},
        },
        *OAUTH_LINK_PARAMETERS,
    ]
}


@router.get(
    "/open/authorize",
    summary="Follow an authorization link: store the request, go to the consent page",
    status_code=status.HTTP_303_SEE_OTHER,
    response_class=RedirectResponse,
    responses={
        303: {
            "description": "To the consent page, `/consent/{request_id}`; for a partner app "
            "whose client and redirect URI are valid, other errors go back to its redirect URI "
            "(RFC 6749 §4.1.2.1)"
        },
        400: _HTML_ERROR,
        404: _HTML_ERROR,
    },
    openapi_extra=_LINK_PARAMETERS,
)
async def authorize(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    try:
        params = parse_authorize_query(request.query_params, request.headers.get("host"))
        stored = await service.start_authorization(session, settings, params)
    except AppError as exc:
        return error_page(exc, LINK_ERRORS)
    return RedirectResponse(urls.consent_page_path(stored.id), status_code=303)


@router.get(
    "/v1/authorization-requests/{request_id}",
    summary="What the seller may authorize through this request",
    responses=responses(401, 403, 404, 409, 410),
)
async def read_authorization_request(
    request_id: str, caller: CallerDep, session: SessionDep, settings: SettingsDep
) -> ConsentRequestRead:
    view = await service.consent_view(session, settings, caller, request_id)
    return ConsentRequestRead.model_validate(
        {
            "id": view.request.id,
            "purpose": view.request.purpose,
            "expires_at": view.request.expires_at,
            "terms_version": view.terms_version,
            "can_decide": view.can_decide,
            "market": view.catalogue.seller.market,
            "partner": view.partner,
            "requested_service_id": view.request.service_id,
            "requested_service_unavailable": view.requested_unavailable,
            "services": view.services,
            "already_authorized": view.catalogue.active,
        },
        from_attributes=True,
    )


@router.post(
    "/v1/authorization-requests/{request_id}/accept",
    summary="The seller's main account consents; grants are created or renewed",
    responses=responses(400, 401, 403, 404, 409, 410, 429),
    dependencies=[caller_attempt("consent")],
)
async def accept_authorization_request(
    request_id: str,
    body: ConsentAccept,
    caller: CallerDep,
    session: SessionDep,
    settings: SettingsDep,
) -> ConsentAccepted:
    decided = await service.accept_consent(session, settings, caller, request_id, body)
    grants = [
        GrantIssued.model_validate(r.grant).model_copy(update={"renewed": r.renewed})
        for r in decided.grants
    ]
    return ConsentAccepted(redirect_to=decided.redirect_to, grants=grants)


@router.post(
    "/v1/authorization-requests/{request_id}/reject",
    summary="The seller's main account refuses; the partner gets error=access_denied",
    responses=responses(401, 403, 404, 409, 410, 429),
    dependencies=[caller_attempt("consent")],
)
async def reject_authorization_request(
    request_id: str, caller: CallerDep, session: SessionDep, settings: SettingsDep
) -> ConsentRejected:
    decided = await service.reject_consent(session, settings, caller, request_id)
    return ConsentRejected(redirect_to=decided.redirect_to)
