"""Operator and partner-admin routes that create the registry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from tsp_auth.deps import CallerDep, ReadSessionDep, SessionDep
from tsp_auth.idempotency.dependency import IdempotencyDep
from tsp_auth.kit.errors import responses
from tsp_auth.kit.pagination import PageQuery
from tsp_auth.registry import service
from tsp_auth.registry.schemas import (
    AccountCreate,
    AccountPage,
    AccountRead,
    MemberCreate,
    OfferCreate,
    OfferRead,
    PartnerCreate,
    PartnerRead,
    SellerCreate,
    SellerCreated,
    SellerRead,
    ServiceCreate,
    ServicePage,
    ServiceRead,
    ServiceUpdate,
)

router = APIRouter(tags=["registry"])
CREATED = status.HTTP_201_CREATED


@router.post("/v1/partners", status_code=CREATED, responses=responses(400, 401, 403))
async def create_partner(
    body: PartnerCreate, caller: CallerDep, session: SessionDep
) -> PartnerRead:
    return PartnerRead.model_validate(await service.create_partner(session, caller, body))


@router.get("/v1/partners/{partner_id}", responses=responses(401, 404))
async def read_partner(partner_id: str, caller: CallerDep, session: ReadSessionDep) -> PartnerRead:
    return PartnerRead.model_validate(await service.visible_partner(session, caller, partner_id))


@router.post(
    "/v1/partners/{partner_id}/members",
    status_code=CREATED,
    responses=responses(400, 401, 403, 404),
)
async def add_partner_member(
    partner_id: str, body: MemberCreate, caller: CallerDep, session: SessionDep
) -> AccountRead:
    return AccountRead.model_validate(await service.add_member(session, caller, partner_id, body))


@router.get("/v1/partners/{partner_id}/members", responses=responses(401, 404))
async def list_members(
    partner_id: str, caller: CallerDep, session: ReadSessionDep, page: Annotated[PageQuery, Query()]
) -> AccountPage:
    members, cursor = await service.partner_members(session, caller, partner_id, page)
    return AccountPage(items=[AccountRead.model_validate(m) for m in members], next_cursor=cursor)


@router.post("/v1/sellers", status_code=CREATED, responses=responses(400, 401, 403))
async def create_seller(
    body: SellerCreate, caller: CallerDep, session: SessionDep
) -> SellerCreated:
    seller, main = await service.create_seller(session, caller, body)
    return SellerCreated(
        **SellerRead.model_validate(seller).model_dump(),
        main_account=AccountRead.model_validate(main),
    )


@router.get("/v1/sellers/{seller_id}", responses=responses(401, 404))
async def read_seller(seller_id: str, caller: CallerDep, session: ReadSessionDep) -> SellerRead:
    return SellerRead.model_validate(await service.visible_seller(session, caller, seller_id))


@router.post(
    "/v1/sellers/{seller_id}/sub-accounts",
    status_code=CREATED,
    responses=responses(400, 401, 403, 404),
)
async def add_sub_account(
    seller_id: str, body: AccountCreate, caller: CallerDep, session: SessionDep
) -> AccountRead:
    account = await service.add_sub_account(session, caller, seller_id, body)
    return AccountRead.model_validate(account)


@router.post("/v1/services", status_code=CREATED, responses=responses(400, 401, 403, 404))
async def create_service(
    body: ServiceCreate, caller: CallerDep, session: SessionDep, idempotency: IdempotencyDep
) -> ServiceRead:
    async def create() -> ServiceRead:
        return ServiceRead.model_validate(await service.create_service(session, caller, body))

    return await idempotency.once(201, create)


@router.get("/v1/services", responses=responses(401))
async def list_services(
    caller: CallerDep, session: ReadSessionDep, page: Annotated[PageQuery, Query()]
) -> ServicePage:
    rows, cursor = await service.list_services(session, caller, page)
    return ServicePage(items=[ServiceRead.model_validate(s) for s in rows], next_cursor=cursor)


@router.get("/v1/services/{service_id}", responses=responses(401, 404))
async def read_service(service_id: str, caller: CallerDep, session: ReadSessionDep) -> ServiceRead:
    return ServiceRead.model_validate(await service.visible_service(session, caller, service_id))


@router.patch("/v1/services/{service_id}", responses=responses(400, 401, 403, 404))
async def update_service(
    service_id: str, body: ServiceUpdate, caller: CallerDep, session: SessionDep
) -> ServiceRead:
    updated = await service.update_service(session, caller, service_id, body)
    return ServiceRead.model_validate(updated)


@router.post(
    "/v1/services/{service_id}/offers",
    status_code=CREATED,
    responses=responses(400, 401, 403, 404, 409),
)
async def offer_service(
    service_id: str, body: OfferCreate, caller: CallerDep, session: SessionDep
) -> OfferRead:
    offer = await service.offer_service(session, caller, service_id, body.seller_id)
    return OfferRead(service_id=offer.service_id, seller_id=offer.seller_id)
