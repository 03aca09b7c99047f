"""Audit trail schemas: one event, a page of them, and the query of `GET /v1/audit-events`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tsp_auth.kit.pagination import Page, PageQuery
from tsp_auth.kit.reason_codes import ReasonCode
from tsp_auth.kit.strict import IsoDatetime

# The export's columns, in order; `detail` is written as a JSON object.
CSV_COLUMNS = (
    "id",
    "occurred_at",
    "action",
    "outcome",
    "reason",
    "actor_id",
    "actor_type",
    "on_behalf_of",
    "partner_id",
    "seller_id",
    "grant_id",
    "request_id",
    "detail",
)


class AuditEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    occurred_at: datetime
    action: str = Field(description="What was done or attempted, e.g. `grant.cancelled`.")
    outcome: Literal["success", "denied"]
    reason: ReasonCode | None = Field(description="The reason code of a denial.")
    actor_id: str | None = Field(description="The account (or client) that acted.")
    actor_type: str = Field(description="`account`, `client` or `system`.")
    on_behalf_of: str | None = Field(description="Whose authority was used (seller, partner).")
    partner_id: str | None
    seller_id: str | None
    grant_id: str | None
    request_id: str | None
    detail: dict[str, Any]


class AuditEventPage(Page[AuditEventRead]):
    pass


class AuditQuery(PageQuery):
    """Filters narrow what the caller may see, never widen it."""

    action: str | None = Field(default=None, max_length=64)
    outcome: Literal["success", "denied"] | None = None
    grant_id: str | None = Field(default=None, max_length=40)
    since: IsoDatetime | None = Field(default=None, description="Inclusive; ISO 8601, with a zone.")
    until: IsoDatetime | None = Field(default=None, description="Exclusive; ISO 8601, with a zone.")
    order: Literal["asc", "desc"] = Field(default="asc", description="By (occurred_at, id).")
    limit: int = Field(default=50, ge=1, le=200, description="Page size (JSON only).")
    cursor: str | None = Field(default=None, max_length=200, description="Opaque; JSON only.")
    format: Literal["json", "csv"] = Field(
        default="json", description="`csv` streams every matching event as a download."
    )
