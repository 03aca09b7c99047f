from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.config import Settings
from tsp_auth.deps import SessionmakerDep, SettingsDep
from tsp_auth.kit.errors import responses
from tsp_auth.ops.schemas import Health, Ready
from tsp_auth.ops.service import check_metrics_access, check_ready

router = APIRouter(tags=["ops"])

# auto_error=False: a missing header is ours to answer (401 in the one error shape), and only
# when TSP_AUTH_METRICS_TOKEN is set at all.
MetricsCredentials = Annotated[
    HTTPAuthorizationCredentials | None,
    Depends(HTTPBearer(auto_error=False, description="TSP_AUTH_METRICS_TOKEN, when it is set")),
]


@router.get("/health", summary="Liveness: the process answers (no database call)")
async def health() -> Health:
    return Health(status="ok")


# HEAD is GET without the body: documented with GET, not as an operation of its own.
@router.head("/health", include_in_schema=False)
async def health_head() -> Response:
    return Response(status_code=200)


async def _ready(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> list[str]:
    return await check_ready(
        sessionmaker,
        settings.database_timeout_seconds,
        settings.retry_after_seconds,
    )


@router.get(
    "/ready",
    summary="Readiness: database reachable and migrations at head",
    responses=responses(503),
)
async def ready(settings: SettingsDep, sessionmaker: SessionmakerDep) -> Ready:
    return Ready(status="ready", revision=await _ready(settings, sessionmaker))


@router.head("/ready", include_in_schema=False)
async def ready_head(settings: SettingsDep, sessionmaker: SessionmakerDep) -> Response:
    await _ready(settings, sessionmaker)
    return Response(status_code=200)


@router.get(
    "/metrics",
    summary="Prometheus metrics (bearer token when TSP_AUTH_METRICS_TOKEN is set)",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}},
        **responses(401),
    },
)
async def metrics(settings: SettingsDep, credentials: MetricsCredentials) -> Response:
    check_metrics_access(settings, credentials)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
