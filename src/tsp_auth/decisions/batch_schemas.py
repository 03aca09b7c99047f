"""Batch decision schemas: one console session, several questions, answers in order."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from tsp_auth.crypto.jwt import MAX_TOKEN_LENGTH
from tsp_auth.decisions.schemas import DecisionRead
from tsp_auth.kit.strict import RequestBody

# A console page asks for its menu: a dozen areas on a shop or two. 50 leaves room for that
# and keeps one request's work bounded (a longer list is a 400, nothing decided).
MAX_CHECKS = 50


class DecisionCheck(RequestBody):
    """One question of a batch: the fields of a single decision but the token."""

    model_config = ConfigDict(extra="forbid")

    action: str = Field(
        min_length=1,
        max_length=100,
        description="e.g. `creator_im.send`, `seller_center.orders`, `data_compass.live`.",
    )
    shop_id: str = Field(min_length=1, max_length=40, description="The seller the action is on.")


class BatchDecisionRequest(RequestBody):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(
        min_length=1, max_length=MAX_TOKEN_LENGTH, description="The console session token."
    )
    checks: list[DecisionCheck] = Field(
        min_length=1,
        max_length=MAX_CHECKS,
        description=f"1 to {MAX_CHECKS} questions, answered in the same order.",
    )


class BatchDecisionRead(BaseModel):
    decisions: list[DecisionRead] = Field(
        description="One answer per check, in order: what `POST /v1/decisions` would answer."
    )
