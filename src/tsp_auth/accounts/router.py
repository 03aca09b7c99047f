"""The development identity issuer and `GET /v1/me`."""

from __future__ import annotations

from fastapi import APIRouter, Request

from tsp_auth.accounts import service
from tsp_auth.accounts.schemas import IdentityToken, IdentityTokenRequest, Me
from tsp_auth.clock import now
from tsp_auth.deps import (
    CallerDep,
    IdentityCodecDep,
    ReadSessionDep,
    SessionDep,
    SettingsDep,
    limit_attempt,
)
from tsp_auth.kit.errors import NotFound, responses
from tsp_auth.policy import Reason
from tsp_auth.registry import repository

router = APIRouter(tags=["identity"])
dev_router = APIRouter(tags=["development"])


@router.get("/v1/me", summary="The account the identity token names", responses=responses(401))
async def read_me(caller: CallerDep, session: ReadSessionDep) -> Me:
    return await service.me(session, caller)


@dev_router.post(
    "/dev/identity-tokens",
    summary="Development issuer: sign an identity token for an account (never in production)",
    responses=responses(400, 404, 429),
)
async def issue_identity_token(
    body: IdentityTokenRequest,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    codec: IdentityCodecDep,
) -> IdentityToken:
    await limit_attempt(request, "sign_in", body.account_id)
    account = await repository.get_account(session, body.account_id)
    if account is None:
        raise NotFound("no such account", error=Reason.UNKNOWN_ACCOUNT)
    ttl = settings.identity_token_ttl
    return IdentityToken(
        id_token=codec.encode(account.id, now=now(), lifetime=ttl),
        expires_in=int(ttl.total_seconds()),
        account_id=account.id,
        kind=account.kind,
        role=account.role,
    )
