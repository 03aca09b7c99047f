"""The audit trail: append-only, one row per thing that happened or was refused (DESIGN §3)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tsp_auth.models.base import Base, UTCDateTime


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_seller_time", "seller_id", "occurred_at", "id"),
        Index("ix_audit_events_partner_time", "partner_id", "occurred_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))  # success | denied
    reason: Mapped[str | None] = mapped_column(String(64))
    actor_id: Mapped[str | None] = mapped_column(String(64))  # the person (or client) acting
    actor_type: Mapped[str] = mapped_column(String(16))  # account | client | system
    on_behalf_of: Mapped[str | None] = mapped_column(String(64))  # whose authority was used
    partner_id: Mapped[str | None] = mapped_column(String(40))
    seller_id: Mapped[str | None] = mapped_column(String(40))
    grant_id: Mapped[str | None] = mapped_column(String(40), index=True)
    request_id: Mapped[str | None] = mapped_column(String(128))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
