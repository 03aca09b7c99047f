from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from tsp_auth.errors import responses
from tsp_auth.ops.schemas import Health, Ready
from tsp_auth.ops.service import check_ready

router = APIRouter(tags=["ops"])


@router.get("/health", summary="Liveness: the process answers (no database call)")
async def health() -> Health:
    return Health(status="ok")


@router.get(
    "/ready",
    summary="Readiness: database reachable and migrations at head",
    responses=responses(503),
)
async def ready(request: Request) -> Ready:
    settings = request.app.state.settings
    revision = await check_ready(
        request.app.state.sessionmaker,
        settings.database_timeout_seconds,
        settings.retry_after_seconds,
    )
    return Ready(status="ready", revision=revision)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
