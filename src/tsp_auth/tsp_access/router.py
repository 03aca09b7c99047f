"""TSP Access routes: the sellers a partner account may act for, one-click login, and the
console sessions the seller console opens with a login token (seed 000, DESIGN §3)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from tsp_auth.deps import (
    CallerDep,
    KeyRingDep,
    ReadSessionDep,
    SessionDep,
    SessionmakerDep,
    SettingsDep,
)
from tsp_auth.errors import responses
from tsp_auth.identity.callers import bearer_token
from tsp_auth.pagination import PageQueryDep, sequence_page
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


@router.post(
    "/v1/tsp-access/login",
    summary="A single-use login token for one seller's console (switching sellers: call again)",
    responses=responses(400, 401, 403, 404),
)
async def issue_login_token(
    body: LoginRequest,
    caller: CallerDep,
    sessionmaker: SessionmakerDep,
    settings: SettingsDep,
    keyring: KeyRingDep,
) -> LoginTokenIssued:
    # No unit of work: login writes one statement of its own (tsp_access/login_repository.py).
    return await login.issue_login_token(sessionmaker, settings, keyring, caller, body)


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
