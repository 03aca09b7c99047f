"""Business Center routes (seed 003): the admin side under `/v1/business-centers`, the TikTok
account owner's JSON side under `/v1/bc-access`, and the operator's account linkages."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from tsp_auth.business_centers import approval, members, pending, permissions, service
from tsp_auth.business_centers.repository import owner_grants
from tsp_auth.business_centers.schemas import (
    AccessDecided,
    AccessOffer,
    AccessRequestCreate,
    AccessRequestCreated,
    AccessRequestPage,
    AccessRequestRead,
    AdAccountAccessCreate,
    AdAccountAccessRead,
    BcDecision,
    BcDecisionRequest,
    BcGrantPage,
    BcGrantRead,
    BusinessCenterAssignmentCreate,
    BusinessCenterAssignmentRead,
    BusinessCenterCreate,
    BusinessCenterCreated,
    BusinessCenterRead,
    EffectivePermissions,
    LinkageCreate,
    LinkageRead,
    TikTokAccountPage,
)
from tsp_auth.deps import (
    BrowserCallerDep,
    CallerDep,
    ReadSessionDep,
    SessionDep,
    SettingsDep,
    caller_attempt,
)
from tsp_auth.idempotency.dependency import IdempotencyDep
from tsp_auth.kit.errors import responses
from tsp_auth.kit.pagination import PageQueryDep, sequence_page
from tsp_auth.registry.schemas import AccountRead, MemberCreate

router = APIRouter(tags=["business centers"])
CREATED = status.HTTP_201_CREATED
BC = "/v1/business-centers/{business_center_id}"
_PNG: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/png": {}}, "description": "The QR code (PNG) of the link"}
}


@router.post("/v1/business-centers", status_code=CREATED, responses=responses(400, 401, 403))
async def create_business_center(
    body: BusinessCenterCreate, caller: CallerDep, session: SessionDep
) -> BusinessCenterCreated:
    bc, admin = await service.create_business_center(session, caller, body)
    return BusinessCenterCreated(
        **BusinessCenterRead.model_validate(bc).model_dump(),
        admin=AccountRead.model_validate(admin),
    )


@router.get(BC, responses=responses(401, 404))
async def read_business_center(
    business_center_id: str, caller: CallerDep, session: ReadSessionDep
) -> BusinessCenterRead:
    bc = await service.visible_bc(session, caller, business_center_id)
    return BusinessCenterRead.model_validate(bc)


@router.post(f"{BC}/members", status_code=CREATED, responses=responses(400, 401, 403, 404))
async def add_business_center_member(
    business_center_id: str, body: MemberCreate, caller: CallerDep, session: SessionDep
) -> AccountRead:
    member = await service.add_member(session, caller, business_center_id, body)
    return AccountRead.model_validate(member)


@router.post(
    f"{BC}/access-requests",
    summary="A BC admin requests access to a TikTok account: a single-use link and its QR code",
    status_code=CREATED,
    responses=responses(400, 401, 403, 404),
)
async def request_access(
    business_center_id: str,
    body: AccessRequestCreate,
    caller: CallerDep,
    session: SessionDep,
    settings: SettingsDep,
    idempotency: IdempotencyDep,
) -> AccessRequestCreated:
    create = partial(
        service.request_access, session, settings, caller, business_center_id, body.scope
    )
    return await idempotency.once(201, create)


@router.get(
    f"{BC}/access-requests",
    summary="The BC's pending access requests, oldest first (BC admins)",
    responses=responses(400, 401, 403, 404),
)
async def list_pending_requests(
    business_center_id: str,
    caller: CallerDep,
    session: ReadSessionDep,
    page: PageQueryDep,
) -> AccessRequestPage:
    return await pending.list_pending(session, caller, business_center_id, page)


@router.delete(
    f"{BC}/access-requests/{{request_id}}",
    summary="A BC admin withdraws a pending request: its QR code stops working",
    responses=responses(401, 403, 404, 409, 410),
)
async def withdraw_request(
    business_center_id: str, request_id: str, caller: CallerDep, session: SessionDep
) -> AccessRequestRead:
    return await pending.withdraw(session, caller, business_center_id, request_id)


@router.get(f"{BC}/access-requests/{{request_id}}", responses=responses(401, 403, 404))
async def read_access_request(
    business_center_id: str, request_id: str, caller: CallerDep, session: ReadSessionDep
) -> AccessRequestRead:
    return await service.read_request(session, caller, business_center_id, request_id)


@router.get(
    f"{BC}/access-requests/{{request_id}}/qr.png",
    summary="The QR card of a pending request (BC admins)",
    response_class=Response,
    responses={**_PNG, **responses(401, 403, 404, 410)},
)
async def access_request_qr(
    business_center_id: str,
    request_id: str,
    caller: BrowserCallerDep,
    session: ReadSessionDep,
    settings: SettingsDep,
) -> Response:
    png = await service.request_qr(session, settings, caller, business_center_id, request_id)
    # The picture is a credential while the request is pending: never cached, and never
    # embedded by another site (it may be fetched with the sign-in cookie).
    headers = {"Cache-Control": "no-store", "Cross-Origin-Resource-Policy": "same-origin"}
    return Response(png, media_type="image/png", headers=headers)


@router.post(f"{BC}/assignments", status_code=CREATED, responses=responses(400, 401, 403, 404, 409))
async def assign_member(
    business_center_id: str,
    body: BusinessCenterAssignmentCreate,
    caller: CallerDep,
    session: SessionDep,
    idempotency: IdempotencyDep,
) -> BusinessCenterAssignmentRead:
    async def create() -> BusinessCenterAssignmentRead:
        row = await members.assign(session, caller, business_center_id, body)
        return BusinessCenterAssignmentRead.model_validate(row)

    return await idempotency.once(201, create)


@router.get(
    f"{BC}/tiktok-accounts",
    summary="TikTok accounts the BC has access to (standard members: those assigned to them)",
    responses=responses(401, 404),
)
async def list_tiktok_accounts(
    business_center_id: str, caller: CallerDep, session: ReadSessionDep, page: PageQueryDep
) -> TikTokAccountPage:
    every = await members.tiktok_accounts(session, caller, business_center_id)
    items, cursor = sequence_page(every, page, lambda a: (a.tiktok_account_id,))
    return TikTokAccountPage(items=items, next_cursor=cursor)


@router.get(
    f"{BC}/tiktok-accounts/{{tiktok_account_id}}/permissions",
    summary="A member's effective permissions: Business Center access plus account linkage",
    responses=responses(401, 403, 404),
)
async def member_permissions(
    business_center_id: str,
    tiktok_account_id: str,
    caller: CallerDep,
    session: ReadSessionDep,
    member_id: Annotated[str | None, Query(max_length=40)] = None,
) -> EffectivePermissions:
    return await members.member_permissions(
        session, caller, business_center_id, tiktok_account_id, member_id
    )


@router.post(
    f"{BC}/ad-account-access",
    summary="A BC admin records a member's role on one of the BC's ad accounts",
    status_code=CREATED,
    responses=responses(400, 401, 403, 404, 409),
)
async def give_ad_account_access(
    business_center_id: str, body: AdAccountAccessCreate, caller: CallerDep, session: SessionDep
) -> AdAccountAccessRead:
    row = await permissions.give_ad_account_access(session, caller, business_center_id, body)
    return AdAccountAccessRead.model_validate(row)


@router.post(
    f"{BC}/decisions",
    summary="May a member do this with a TikTok account (e.g. pull video for Spark Ads)?",
    responses=responses(400, 401, 403, 404),
)
async def decide_member_action(
    business_center_id: str, body: BcDecisionRequest, caller: CallerDep, session: SessionDep
) -> BcDecision:
    return await permissions.decide(session, caller, business_center_id, body)


@router.post(f"{BC}/grants/{{grant_id}}/cancel", responses=responses(401, 403, 404, 409))
async def cancel_as_admin(
    business_center_id: str, grant_id: str, caller: CallerDep, session: SessionDep
) -> BcGrantRead:
    grant = await approval.cancel_by_admin(session, caller, business_center_id, grant_id)
    return BcGrantRead.of(grant)


@router.get(
    "/v1/me/tiktok-accounts/{tiktok_account_id}/permissions",
    summary="The caller's own effective permissions on a TikTok account",
    responses=responses(401, 404),
)
async def my_permissions(
    tiktok_account_id: str, caller: CallerDep, session: ReadSessionDep
) -> EffectivePermissions:
    return await members.my_permissions(session, caller, tiktok_account_id)


@router.post(
    "/v1/account-linkages", status_code=CREATED, responses=responses(400, 401, 403, 404, 409)
)
async def link_accounts(body: LinkageCreate, caller: CallerDep, session: SessionDep) -> LinkageRead:
    row = await service.link_accounts(session, caller, body)
    return LinkageRead(
        id=row.id,
        tiktok_account_id=row.tiktok_account_id,
        user_id=row.user_id,
        permissions=sorted(row.permissions),
        created_at=row.created_at,
    )


# The TikTok account owner ------------------------------------------------------------------


@router.get(
    "/v1/bc-access/grants",
    summary="The owner's Business Center authorizations",
    responses=responses(400, 401),
)
async def list_owner_grants(
    caller: CallerDep, session: ReadSessionDep, page: PageQueryDep
) -> BcGrantPage:
    if caller.kind != "tiktok":
        return BcGrantPage(items=[])
    every = [BcGrantRead.of(g) for g in await owner_grants(session, caller.account_id)]
    items, cursor = sequence_page(every, page, lambda g: (g.created_at, g.id))
    return BcGrantPage(items=items, next_cursor=cursor)


@router.post("/v1/bc-access/grants/{grant_id}/cancel", responses=responses(401, 404, 409))
async def cancel_as_owner(grant_id: str, caller: CallerDep, session: SessionDep) -> BcGrantRead:
    return BcGrantRead.of(await approval.cancel_by_owner(session, caller, grant_id))


@router.get(
    "/v1/bc-access/{token}",
    summary="What a QR code asks the TikTok account owner to approve",
    responses=responses(401, 403, 404, 410),
)
async def read_bc_access_offer(
    token: str, caller: CallerDep, session: ReadSessionDep
) -> AccessOffer:
    return await approval.offer(session, caller, token)


@router.post(
    "/v1/bc-access/{token}/approve",
    responses=responses(401, 403, 404, 409, 410, 429),
    dependencies=[caller_attempt("approval")],
)
async def approve_bc_access(token: str, caller: CallerDep, session: SessionDep) -> AccessDecided:
    decision = await approval.approve(session, caller, token)
    assert decision.grant is not None
    return AccessDecided(status="approved", grant=BcGrantRead.of(decision.grant))


@router.post(
    "/v1/bc-access/{token}/reject",
    responses=responses(401, 403, 404, 410, 429),
    dependencies=[caller_attempt("approval")],
)
async def reject_bc_access(token: str, caller: CallerDep, session: SessionDep) -> AccessDecided:
    await approval.reject(session, caller, token)
    return AccessDecided(status="rejected", grant=None)
