"""Decision API schemas."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from tsp_auth.crypto.jwt import MAX_TOKEN_LENGTH
from tsp_auth.kit.reason_codes import ReasonCode
from tsp_auth.kit.strict import RequestBody
from tsp_auth.tsp_access.schemas import Actor


class DecisionRequest(RequestBody):
    model_config = ConfigDict(extra="forbid")

    # Any string up to the longest token we know gets an answer (invalid_session), not a 400.
    token: str = Field(
        min_length=1, max_length=MAX_TOKEN_LENGTH, description="The console session token."
    )
    action: str = Field(
        min_length=1,
        max_length=100,
        description="e.g. `creator_im.send`, `seller_center.orders`, `data_compass.live`.",
    )
    shop_id: str = Field(min_length=1, max_length=40, description="The seller the action is on.")


class DecisionRead(BaseModel):
    allow: bool
    reason: ReasonCode = Field(description="`ok`, or the reason code of the denial.")
    acting_as: str | None = Field(
        description="The identity the console shows (the seller); null for an unknown session."
    )
    actor: Actor | None = Field(
        description="Who really acts (RFC 8693 `act`), for the console's logs."
    )
