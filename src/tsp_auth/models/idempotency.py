"""Answers kept for ``Idempotency-Key`` replays (docs/api.md, "Retrying a create")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tsp_auth.models.base import Base, UTCDateTime


class IdempotencyKey(Base):
    """One key of one caller. The primary key makes the first request the only one that
    creates: a concurrent retry waits on it and then replays (PostgreSQL), or queues behind
    the write lock (SQLite). ``response`` is a Fernet token: a first answer may carry a secret
    shown once (a client's or a webhook's), and it is kept 24 hours only."""

    __tablename__ = "idempotency_keys"

    scope: Mapped[str] = mapped_column(String(80), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
