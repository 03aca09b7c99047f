"""Member assignment schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from tsp_auth.kit.pagination import Page
from tsp_auth.kit.strict import RequestBody
from tsp_auth.models import MemberAssignment

Code = Annotated[str, Field(min_length=1, max_length=40)]


class AssignmentCreate(RequestBody):
    """A partner admin lets one member act for one seller, with all or some of the roles."""

    model_config = ConfigDict(extra="forbid")

    member_id: str = Field(max_length=40, description="A member account of the caller's partner.")
    seller_id: str = Field(max_length=40, description="A seller with a grant to the partner.")
    roles: list[Code] | None = Field(
        default=None,
        max_length=32,
        description="Permission roles the member may use; null: every role of the grant. "
        "The grant still bounds them: a role it does not hold gives nothing.",
    )


class AssignmentRead(BaseModel):
    id: str
    partner_id: str
    member_id: str
    seller_id: str
    roles: list[str] | None = Field(description="Sorted; null: every role of the grant.")
    created_at: datetime

    @classmethod
    def of(cls, row: MemberAssignment) -> AssignmentRead:
        return cls(
            id=row.id,
            partner_id=row.partner_id,
            member_id=row.member_id,
            seller_id=row.seller_id,
            roles=None if row.roles is None else sorted(row.roles),
            created_at=row.created_at,
        )


class AssignmentList(Page[AssignmentRead]):
    pass
