"""Process leases and invalidation acknowledgements of the coherence protocol
(docs/coherence.md). Written and read by raw SQL in ``coherence/repository.py`` only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tsp_auth.models.base import Base, UTCDateTime


class CoherenceLease(Base):
    """A serving process, one row per listener connection it opened. ``registered_at``: the
    database's clock once it was listening; ``registered_snapshot``: the snapshot its
    registration ran under (``pg_current_snapshot()``; a writer waits for it only if that
    snapshot did not see the writer's transaction committed); ``expires_at``: when writers
    stop waiting for it."""

    __tablename__ = "coherence_leases"

    process_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registered_snapshot: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CoherenceAck(Base):
    """Process ``process_id`` dropped what invalidation ``invalidation_id`` named."""

    __tablename__ = "coherence_acks"

    invalidation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    process_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    acked_at: Mapped[datetime] = mapped_column(UTCDateTime)
