"""`DELETE /v1/assignments/{id}`: removing an assignment ends, at once, the console sessions
its member has open for that seller.

Here, not in ``assignments``: console sessions are TSP Access's, and TSP Access reads the
assignments (who may act for whom), so ``assignments`` imports nothing of it. The route keeps
the ``assignments`` tag; the app mounts it right after the other assignment routes.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import and_
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.assignments import service as assignments
from tsp_auth.deps import CallerDep, SessionDep
from tsp_auth.identity.callers import Caller
from tsp_auth.kit.errors import responses
from tsp_auth.models import ConsoleSession
from tsp_auth.tsp_access.session_kinds import EndReason
from tsp_auth.tsp_access.sessions import end_sessions


async def remove_assignment(session: AsyncSession, caller: Caller, assignment_id: str) -> None:
    """Remove the assignment and end its member's sessions for that seller, in one transaction."""
    row = await assignments.delete_assignment(session, caller, assignment_id)
    their_sessions = and_(
        ConsoleSession.member_id == row.member_id, ConsoleSession.seller_id == row.seller_id
    )
    await end_sessions(
        session, their_sessions, actor_id=caller.account_id, reason=EndReason.ASSIGNMENT_REMOVED
    )


router = APIRouter(tags=["assignments"])


@router.delete(
    "/v1/assignments/{assignment_id}",
    status_code=204,
    response_class=Response,
    summary="Remove an assignment; the member's console sessions for that seller end at once",
    responses=responses(401, 403, 404),
)
async def delete_assignment(assignment_id: str, caller: CallerDep, session: SessionDep) -> Response:
    await remove_assignment(session, caller, assignment_id)
    return Response(status_code=204)
