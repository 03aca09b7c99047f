"""OAuth clients (RFC 6749 §2): partner apps and first-party clients of the platform."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, text
from sqlalchemy.orm import Mapped, mapped_column

from tsp_auth.models.base import Base, StringSet, UTCDateTime


class Client(Base):
    """An OAuth client: a partner app (seed 004), or a first-party client of the platform."""

    __tablename__ = "clients"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # the client_id
    partner_id: Mapped[str | None] = mapped_column(ForeignKey("partners.id"), index=True)
    service_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    client_type: Mapped[str] = mapped_column(String(16))  # confidential | public | first_party
    secret_hash: Mapped[str | None] = mapped_column(String(128))
    redirect_uris: Mapped[list[str]] = mapped_column(JSON)
    # Public clients: the browser origins allowed to call the token endpoint (oauth.cors).
    allowed_origins: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default=text("'[]'")
    )
    scopes: Mapped[frozenset[str]] = mapped_column(StringSet)
    status: Mapped[str] = mapped_column(String(16))  # development | live | disabled
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
