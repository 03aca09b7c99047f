"""TSP Access routes: the sellers a partner account may act for, one-click login, and the
console sessions the seller console opens with a login token (seed 000, DESIGN §3)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from tsp_auth.deps import (
    CallerDep,
    KeyRingDep,
    ReadSessionDep,
    SessionDep,
    SettingsDep,
    current_caller,
    get_keyring,
    get_sessionmaker,
    get_settings,
)
from tsp_auth.identity.callers import CALLER_SECURITY, bearer_token
from tsp_auth.kit.direct_routes import DirectRoute
from tsp_auth.kit.errors import responses
from tsp_auth.kit.json_body import json_body, read_json
from tsp_auth.kit.pagination import PageQueryDep, sequence_page
from tsp_auth.tsp_access import (
    introspection,  # noqa: F401  (imported to register our introspector with OAuth's)
    login,
    requestable,
    seller_sessions,
    sellers,
    sessions,
)
from tsp_auth.tsp_access.schemas import (
    AccessRequestableList,
    LoginRequest,
    LoginTokenIssued,
    SellerSessionCreate,
    SellerSessionStarted,
    SessionCreate,
    SessionStarted,
    TspSellerList,
)

router = APIRouter(tags=["tsp-access"])
# One-click login, called on every switch of seller: a direct route (``direct_routes``).
direct_router = APIRouter(tags=["tsp-access"], route_class=DirectRoute)


@router.get(
    "/v1/tsp-access/sellers",
    summary="The sellers the calling partner account may act for, with its roles",
    responses=responses(401, 403),
)
async def list_sellers(
    caller: CallerDep, session: ReadSessionDep, settings: SettingsDep, page: PageQueryDep
) -> TspSellerList:
    every = await sellers.list_sellers(session, settings, caller)
    items, cursor = sequence_page(every.items, page, lambda s: (s.seller_id,))
    return TspSellerList(items=items, next_cursor=cursor)


@router.get(
    "/v1/tsp-access/requestable-sellers",
    summary="Sellers whose grant lacks seller center access: send them a Request TSP Access link",
    responses=responses(401, 403),
)
async def list_requestable(
    caller: CallerDep, session: ReadSessionDep, settings: SettingsDep, page: PageQueryDep
) -> AccessRequestableList:
    every = await requestable.list_requestable(session, settings, caller)
    items, cursor = sequence_page(every.items, page, lambda s: (s.seller_id, s.grant_id))
    return AccessRequestableList(items=items, next_cursor=cursor)


@direct_router.post(
    "/v1/tsp-access/login",
    summary="A single-use login token for one seller's console (switching sellers: call again)",
    response_model=LoginTokenIssued,
    responses=responses(400, 401, 403, 404),
    openapi_extra={**json_body(LoginRequest), **CALLER_SECURITY},
)
async def issue_login_token(request: Request) -> Response:
    # The caller first, then the body: the order FastAPI solved them in.
    caller = await current_caller(request)
    body = await read_json(request, LoginRequest)
    # No unit of work: login writes one statement of its own (login_token_repository.py).
    issued = await login.issue_login_token(
        await get_sessionmaker(request),
        await get_settings(request),
        await get_keyring(request),
        caller,
        body,
    )
    return Response(issued.model_dump_json(), media_type="application/json")


@router.post(
    "/v1/tsp-access/sessions",
    status_code=201,
    summary="The seller console redeems a login token, once, for a console session",
    responses=responses(400, 403, 409),
)
async def start_session(
    body: SessionCreate, session: SessionDep, settings: SettingsDep, keyring: KeyRingDep
) -> SessionStarted:
    return await sessions.start_session(session, settings, keyring, body)


@router.post(
    "/v1/seller-console/sessions",
    status_code=201,
    summary="The seller console signs a seller's own account in on a browser profile",
    responses=responses(400, 401, 403, 409),
)
async def start_seller_session(
    body: SellerSessionCreate, caller: CallerDep, session: SessionDep, settings: SettingsDep
) -> SellerSessionStarted:
    return await seller_sessions.start_seller_session(session, settings, caller, body)


@router.delete(
    "/v1/tsp-access/sessions/current",
    status_code=204,
    response_class=Response,
    summary="Log out: end the console session (either kind) whose token is the bearer",
    responses=responses(401),
)
async def end_session(request: Request, session: SessionDep) -> Response:
    await sessions.end_current_session(session, bearer_token(request))
    return Response(status_code=204)
