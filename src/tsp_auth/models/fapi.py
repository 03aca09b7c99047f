"""Single-use values of the FAPI 2.0 features (issue 23): pushed authorization requests
(RFC 9126) and the ``jti`` of client assertions (RFC 7523) and DPoP proofs (RFC 9449).

Both live in the database so that single use holds across processes (STYLE §11): a request
URI is spent by one conditional ``UPDATE … WHERE used_at IS NULL``, a ``jti`` by one
``INSERT … ON CONFLICT DO NOTHING`` into its primary key.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from tsp_auth.models.base import Base, UTCDateTime


class PushedAuthorizationRequest(Base):
    """An authorization request a client pushed (RFC 9126 §2), until its request_uri is used."""

    __tablename__ = "pushed_authorization_requests"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    request_uri_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    # The pushed parameters as received: name -> every value (checked again at authorize).
    parameters: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # cleanup
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UsedJti(Base):
    """A ``jti`` seen once: ``kind`` ``client_assertion`` or ``dpop_proof``; ``key`` the SHA-256
    of the ``jti`` with who issued it (the client, or the proof's key thumbprint)."""

    __tablename__ = "used_jtis"

    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # cleanup
