"""Partner-side decisions over HTTP (docs/data-access.md): Partner Center asks for a signed-in
member, a partner API for an app. Thin: parse, call the service, answer."""

from __future__ import annotations

from fastapi import APIRouter

from tsp_auth.decisions import partner_side
from tsp_auth.decisions.partner_schemas import (
    AppDecisionRead,
    AppDecisionRequest,
    MemberDecisionRead,
    MemberDecisionRequest,
)
from tsp_auth.deps import CallerDep, KeyRingDep, SessionmakerDep, SettingsDep
from tsp_auth.kit.errors import responses

router = APIRouter(tags=["decisions"])


@router.post(
    "/v1/partner-decisions",
    summary="May this signed-in partner member do this action on this seller's data?",
    responses=responses(400, 401, 403),
)
async def decide_for_member(
    body: MemberDecisionRequest,
    caller: CallerDep,
    sessionmaker: SessionmakerDep,
    settings: SettingsDep,
) -> MemberDecisionRead:
    return await partner_side.decide_member(
        sessionmaker, caller, body, sea_launch=settings.sea_launch_date
    )


@router.post(
    "/v1/app-decisions",
    summary="May the partner app holding this access token do this action on this seller?",
    responses=responses(400),
)
async def decide_for_app(
    body: AppDecisionRequest,
    sessionmaker: SessionmakerDep,
    keyring: KeyRingDep,
    settings: SettingsDep,
) -> AppDecisionRead:
    return await partner_side.decide_app(sessionmaker, keyring, settings, body)
