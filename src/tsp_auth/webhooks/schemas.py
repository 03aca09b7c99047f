"""Webhook endpoint schemas. The secret appears once, in ``WebhookCreated``."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tsp_auth.kit.pagination import Page
from tsp_auth.kit.strict import RequestBody

EventType = Literal[
    "grant.created",
    "grant.updated",
    "grant.renewed",
    "grant.expiring",
    "grant.expired",
    "grant.cancelled",
    "grant.deactivated",
    "app_authorization.cancelled",
]


class WebhookCreate(RequestBody):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        min_length=8,
        max_length=2048,
        description="https URL; http only to 127.0.0.1 / localhost outside production.",
    )
    events: list[EventType] = Field(min_length=1, max_length=8)


class WebhookRead(BaseModel):
    id: str
    partner_id: str
    url: str
    events: list[str] = Field(description="Subscribed event types, sorted.")
    created_at: datetime


class WebhookCreated(WebhookRead):
    secret: str = Field(
        description="The signing secret. Shown once: store it now, it is never shown again."
    )


class WebhookList(Page[WebhookRead]):
    pass


class WebhookSecretRotated(BaseModel):
    id: str
    secret: str = Field(
        description="The new signing secret (`whsec_` + base64). Shown once: store it now."
    )
    previous_secret_signs_until: datetime = Field(
        description="Until then every delivery carries a signature by each secret."
    )
