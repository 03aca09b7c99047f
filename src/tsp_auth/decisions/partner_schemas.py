"""Schemas of the partner-side decisions (docs/data-access.md)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from tsp_auth.crypto.jwt import MAX_TOKEN_LENGTH
from tsp_auth.kit.reason_codes import ReasonCode
from tsp_auth.kit.strict import RequestBody

ACTION_DOC = "`data_compass.<area>` (e.g. `data_compass.live`) or `ticket.create`."


class MemberDecisionRequest(RequestBody):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(min_length=1, max_length=100, description=ACTION_DOC)
    seller_id: str = Field(min_length=1, max_length=40, description="The seller acted on.")


class MemberDecisionRead(BaseModel):
    allow: bool
    reason: ReasonCode = Field(description="`ok`, or the reason code of the denial.")
    seller_id: str
    partner_id: str
    member_id: str
    grant_id: str | None = Field(description="The seller's grant that allows it; null if none.")


class AppDecisionRequest(RequestBody):
    model_config = ConfigDict(extra="forbid")

    # Any string up to the longest token we know gets an answer (invalid_token), not a 400.
    token: str = Field(
        min_length=1, max_length=MAX_TOKEN_LENGTH, description="The app's access token."
    )
    action: str = Field(min_length=1, max_length=100, description=ACTION_DOC)
    seller_id: str = Field(min_length=1, max_length=40, description="The seller acted on.")


class AppDecisionRead(BaseModel):
    allow: bool
    reason: ReasonCode = Field(description="`ok`, or the reason code of the denial.")
    seller_id: str
    client_id: str | None = Field(description="The app; null for a token that is not valid.")
    grant_id: str | None = Field(description="The grant the token was minted from, if any.")
