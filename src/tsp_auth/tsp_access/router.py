"""TSP Access routes: the sellers a partner account may act for, one-click login, and the
console sessions the seller console opens with a login token (seed 000, DESIGN §3)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from tsp_auth.db import SessionDep
from tsp_auth.errors import responses
from tsp_auth.identity.callers import CallerDep, bearer_token
from tsp_auth.keys.dependencies import KeyRingDep
from tsp_auth.tsp_access import (
    introspection,  # noqa: F401  (imported to register our introspector with OAuth's)
    login,
    requestable,
    sellers,
    sessions,
)
from tsp_auth.tsp_access.schemas import (
    AccessRequestableList,
    LoginRequest,
    LoginTokenIssued,
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
async def list_sellers(request: Request, caller: CallerDep, session: SessionDep) -> TspSellerList:
    return await sellers.list_sellers(session, request.app.state.settings, caller)


@router.get(
    "/v1/tsp-access/requestable-sellers",
    summary="Sellers whose grant lacks seller center access: send them a Request TSP Access link",
    responses=responses(401, 403),
)
async def list_requestable(
    request: Request, caller: CallerDep, session: SessionDep
) -> AccessRequestableList:
    return await requestable.list_requestable(session, request.app.state.settings, caller)


@router.post(
    "/v1/tsp-access/login",
    summary="A single-use login token for one seller's console (switching sellers: call again)",
    responses=responses(400, 401, 403, 404),
)
async def issue_login_token(
    body: LoginRequest,
    request: Request,
    caller: CallerDep,
    session: SessionDep,
    keyring: KeyRingDep,
) -> LoginTokenIssued:
    settings = request.app.state.settings
    return await login.issue_login_token(session, settings, keyring, caller, body)


@router.post(
    "/v1/tsp-access/sessions",
    status_code=201,
    summary="The seller console redeems a login token, once, for a console session",
    responses=responses(400, 403, 409),
)
async def start_session(
    body: SessionCreate, request: Request, session: SessionDep, keyring: KeyRingDep
) -> SessionStarted:
    return await sessions.start_session(session, request.app.state.settings, keyring, body)


@router.delete(
    "/v1/tsp-access/sessions/current",
    status_code=204,
    response_class=Response,
    summary="Log out: end the console session whose token is the bearer",
    responses=responses(401),
)
async def end_session(request: Request, session: SessionDep) -> Response:
    await sessions.end_current_session(session, bearer_token(request))
    return Response(status_code=204)
