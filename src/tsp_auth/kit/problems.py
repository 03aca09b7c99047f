"""`GET /problems/{code}`: what a problem's ``type`` URI names (RFC 9457 §3.1.1)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from tsp_auth.kit.errors import NotFound, problem_type, responses
from tsp_auth.kit.reason_codes import REASONS

router = APIRouter(tags=["problems"])


class ProblemType(BaseModel):
    type: str
    title: str
    error: str


@router.get(
    "/problems/{code}",
    summary="The problem type of a reason code: its plain-language title",
    responses=responses(404),
)
async def read_problem_type(code: str) -> ProblemType:
    title = REASONS.get(code)
    if title is None:
        raise NotFound("no such reason code")
    return ProblemType(type=problem_type(code), title=title, error=code)
