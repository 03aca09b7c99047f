"""Partner authorization over HTTP (seed 004; docs/partner-apps.md): the consent API for a
partner admin, "My authorizations", and the app's authorization link."""

from __future__ import annotations

from fastapi import APIRouter

from tsp_auth.consent.schemas import PartnerSummary
from tsp_auth.deps import (
    CallerDep,
    ReadSessionDep,
    SessionDep,
    SettingsDep,
    caller_attempt,
    link_creation,
)
from tsp_auth.idempotency.dependency import IdempotencyDep
from tsp_auth.kit.errors import responses
from tsp_auth.kit.pagination import PageQueryDep, sequence_page
from tsp_auth.partner_apps import authorizations, links, requests
from tsp_auth.partner_apps.rules import CATEGORY_LABELS
from tsp_auth.partner_apps.schemas import (
    AppAuthorizationAccept,
    AppAuthorizationAccepted,
    AppAuthorizationLinkCreate,
    AppAuthorizationLinkRead,
    AppAuthorizationList,
    AppAuthorizationRead,
    AppAuthorizationRejected,
    AppAuthorizationRequestRead,
    AppSummary,
    CategoryRead,
)

router = APIRouter(tags=["partner apps"])


_REQUEST = "/v1/app-authorization-requests/{request_id}"


@router.post(
    "/v1/app-authorization-links",
    summary="The authorization link of one of the caller's partner apps",
    responses=responses(400, 401, 403, 404, 429),
    dependencies=[link_creation],
)
async def create_app_authorization_link(
    body: AppAuthorizationLinkCreate,
    caller: CallerDep,
    session: SessionDep,
    settings: SettingsDep,
    idempotency: IdempotencyDep,
) -> AppAuthorizationLinkRead:
    async def create() -> AppAuthorizationLinkRead:
        link = await links.app_authorization_link(session, settings, caller, body)
        return AppAuthorizationLinkRead(url=link.url, state=link.state)

    return await idempotency.once(200, create)


@router.get(
    _REQUEST,
    summary="What a partner is asked to authorize: the app, its owner, scopes, category",
    responses=responses(400, 401, 403, 404, 409, 410),
)
async def read_app_authorization_request(
    request_id: str, caller: CallerDep, session: ReadSessionDep
) -> AppAuthorizationRequestRead:
    view = await requests.app_request_view(session, caller, request_id)
    return AppAuthorizationRequestRead(
        id=view.request.id,
        expires_at=view.request.expires_at,
        app=AppSummary.model_validate(view.client),
        owner=PartnerSummary.model_validate(view.owner),
        grantor=PartnerSummary.model_validate(view.grantor),
        scopes=sorted(view.scopes),
        categories=[CategoryRead(code=c, label=label) for c, label in CATEGORY_LABELS.items()],
        can_decide=view.can_decide,
        refused_reason=view.refused_reason,
        renews_grant_id=view.renews.id if view.renews else None,
    )


@router.post(
    f"{_REQUEST}/accept",
    summary="The partner's admin authorizes the app; the app gets a code",
    responses=responses(400, 401, 403, 404, 409, 410, 429),
    dependencies=[caller_attempt("consent")],
)
async def accept_app_authorization_request(
    request_id: str,
    body: AppAuthorizationAccept,
    caller: CallerDep,
    session: SessionDep,
    settings: SettingsDep,
) -> AppAuthorizationAccepted:
    accepted = await requests.accept_app_authorization(session, settings, caller, request_id, body)
    return AppAuthorizationAccepted(
        redirect_to=accepted.redirect_to,
        grant_id=accepted.grant.id,
        version=accepted.grant.version,
        renewed=accepted.renewed,
    )


@router.post(
    f"{_REQUEST}/reject",
    summary="The partner's admin refuses; the app gets error=access_denied",
    responses=responses(401, 403, 404, 409, 410, 429),
    dependencies=[caller_attempt("consent")],
)
async def reject_app_authorization_request(
    request_id: str, caller: CallerDep, session: SessionDep, settings: SettingsDep
) -> AppAuthorizationRejected:
    location = await requests.reject_app_authorization(session, settings, caller, request_id)
    return AppAuthorizationRejected(redirect_to=location)


def _read(item: authorizations.AppAuthorization) -> AppAuthorizationRead:
    grant = item.grant
    return AppAuthorizationRead(
        grant_id=grant.id,
        status=grant.status,
        status_reason=grant.status_reason,
        version=grant.version,
        scopes=sorted(grant.scopes),
        categories=sorted(grant.items),
        app=AppSummary.model_validate(item.client) if item.client else None,
        owner=PartnerSummary.model_validate(item.owner) if item.owner else None,
        authorized_by=grant.consented_by,
        created_at=grant.created_at,
        updated_at=grant.updated_at,
    )


@router.get(
    "/v1/app-authorizations",
    summary="My authorizations: the apps the caller's partner authorized",
    responses=responses(401, 403),
)
async def list_authorizations(
    caller: CallerDep, session: ReadSessionDep, page: PageQueryDep
) -> AppAuthorizationList:
    read = [_read(item) for item in await authorizations.list_authorizations(session, caller)]
    items, cursor = sequence_page(read, page, lambda a: (a.created_at, a.grant_id), descending=True)
    return AppAuthorizationList(items=items, next_cursor=cursor)


@router.post(
    "/v1/app-authorizations/{grant_id}/cancel",
    summary="Cancel an authorization: the app's tokens stop working at once",
    responses=responses(401, 403, 404, 409),
)
async def cancel_authorization(
    grant_id: str, caller: CallerDep, session: SessionDep
) -> AppAuthorizationRead:
    return _read(await authorizations.cancel_authorization(session, caller, grant_id))
