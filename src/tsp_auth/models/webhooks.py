"""Webhook endpoints, the outbox of deliveries, every delivery attempt, and the expiry
reminders already sent (docs/operations.md)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tsp_auth.models.base import Base, StringSet, UTCDateTime


class WebhookEndpoint(Base):
    """A partner's receiver. The signing secret is stored as a Fernet token under
    ``TSP_AUTH_KEY_WRAPPING_KEY``: we must recover it to sign, so a hash would not do."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[frozenset[str]] = mapped_column(StringSet)
    secret_encrypted: Mapped[str] = mapped_column(String(512))
    # After a rotation the previous secret keeps signing beside the new one until then.
    previous_secret_encrypted: Mapped[str | None] = mapped_column(String(512))
    previous_secret_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))  # active | deleted
    created_by: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebhookDelivery(Base):
    """One event for one endpoint: the outbox row, written in the transaction of the change.

    ``locked_until``/``lease_id`` are a worker's lease; a lease that expires (the worker died)
    makes the row due again, so delivery is at least once.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_finished", "status", "created_at"),  # cleanup
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("webhook_endpoints.id"), index=True)
    event_id: Mapped[str] = mapped_column(String(40), index=True)  # the Webhook-Id header
    event_type: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)  # the exact bytes signed and sent, every attempt
    status: Mapped[str] = mapped_column(String(16))  # pending | delivered | failed | cancelled
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebhookAttempt(Base):
    __tablename__ = "webhook_attempts"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    delivery_id: Mapped[str] = mapped_column(ForeignKey("webhook_deliveries.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(16))  # delivered | retrying | failed


class GrantReminder(Base):
    """A ``grant.expiring`` reminder sent: once per (grant, expiry, days), enforced by the key.

    Keyed on ``expires_at`` (not ``version``): a renewal moves the expiry and so allows the
    reminders of the new period, while an edit (new version, same expiry) does not repeat them.
    """

    __tablename__ = "grant_reminders"

    grant_id: Mapped[str] = mapped_column(ForeignKey("grants.id"), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    days: Mapped[int] = mapped_column(Integer, primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
