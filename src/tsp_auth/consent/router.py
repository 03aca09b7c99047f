"""The JSON consent API (seller frontends); `/open/authorize` is ``oauth.authorize_endpoint``."""

from __future__ import annotations

from fastapi import APIRouter

from tsp_auth.consent import service
from tsp_auth.consent.schemas import (
    ConsentAccept,
    ConsentAccepted,
    ConsentRejected,
    ConsentRequestRead,
    GrantIssued,
)
from tsp_auth.deps import CallerDep, ReadSessionDep, SessionDep, SettingsDep, caller_attempt
from tsp_auth.kit.errors import responses

router = APIRouter(tags=["consent"])


@router.get(
    "/v1/authorization-requests/{request_id}",
    summary="What the seller may authorize through this request",
    responses=responses(401, 403, 404, 409, 410),
)
async def read_authorization_request(
    request_id: str, caller: CallerDep, session: ReadSessionDep, settings: SettingsDep
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
