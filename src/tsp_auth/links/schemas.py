from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from tsp_auth.kit.strict import RequestBody
from tsp_auth.oauth.authorize_query import STATE_MAX_LENGTH, STATE_PATTERN, Purpose


class AuthorizationLinkCreate(RequestBody):
    model_config = ConfigDict(extra="forbid")

    service_id: str = Field(max_length=40)
    state: str | None = Field(
        default=None,
        max_length=STATE_MAX_LENGTH,
        pattern=STATE_PATTERN,
        description="Echoed back to the service's return URL; a random one when absent.",
    )
    purpose: Purpose = Field(
        default="authorize",
        description="`tsp_access` asks an existing binding for seller center access (seed 001).",
    )


class AuthorizationLinkRead(BaseModel):
    url: str = Field(description="The link to send to the seller.")
    service_id: str
    state: str = Field(description="Check it when the seller comes back (RFC 6749 §10.12).")
    purpose: Purpose
