"""`GET /v1/audit-events`: the trail a seller, a partner admin or an operator may read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import StreamingResponse

from tsp_auth.audit import service
from tsp_auth.audit.schemas import AuditEventPage, AuditQuery
from tsp_auth.deps import CallerDep, ReadSessionDep, SessionmakerDep
from tsp_auth.kit.errors import responses

router = APIRouter(tags=["audit"])

_ANSWERS = responses(400, 401, 403)
_ANSWERS[200] = {
    "description": "A page (JSON), or with `format=csv` every matching event as a download",
    "content": {"text/csv": {"schema": {"type": "string"}}},
}


@router.get(
    "/v1/audit-events",
    summary="Audit events the caller may read: a page, or a CSV export",
    response_model=AuditEventPage,
    responses=_ANSWERS,
)
async def list_audit_events(
    query: Annotated[AuditQuery, Query()],
    caller: CallerDep,
    session: ReadSessionDep,
    sessionmaker: SessionmakerDep,
) -> AuditEventPage | Response:
    if query.format == "json":
        return await service.list_events(session, caller, query)
    service.check_export(caller)
    return StreamingResponse(
        service.export_csv(sessionmaker, caller, query),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="audit-events.csv"',
            "Cache-Control": "no-store",
        },
    )
