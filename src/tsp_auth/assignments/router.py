"""Member assignment routes: partner admins assign members to sellers (DESIGN §2)."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter

from tsp_auth.assignments import service
from tsp_auth.assignments.schemas import AssignmentCreate, AssignmentList, AssignmentRead
from tsp_auth.deps import CallerDep, ReadSessionDep, SessionDep
from tsp_auth.idempotency.dependency import IdempotencyDep
from tsp_auth.kit.errors import responses
from tsp_auth.kit.pagination import PageQueryDep

router = APIRouter(tags=["assignments"])


@router.post(
    "/v1/assignments",
    status_code=201,
    summary="A partner admin lets a member act for a seller, with all or some roles",
    responses=responses(400, 401, 403, 404, 409),
)
async def create_assignment(
    body: AssignmentCreate, caller: CallerDep, session: SessionDep, idempotency: IdempotencyDep
) -> AssignmentRead:
    return await idempotency.once(201, partial(service.create_assignment, session, caller, body))


@router.get(
    "/v1/assignments",
    summary="Admins: every assignment of the partner; members: their own",
    responses=responses(401, 403),
)
async def list_assignments(
    caller: CallerDep, session: ReadSessionDep, page: PageQueryDep
) -> AssignmentList:
    return await service.list_assignments(session, caller, page)
