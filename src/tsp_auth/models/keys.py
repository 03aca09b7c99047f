"""Signing keys of the JWTs we issue, kept wrapped at rest (docs/keys.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tsp_auth.models.base import Base, UTCDateTime


class SigningKeyRecord(Base):
    """One key pair. The private key is stored only as a Fernet token under the wrapping key.

    A key is published (in the JWKS) from ``created_at`` until ``retires_at``, and signs from
    ``activates_at`` on, as long as it is the newest active key.
    """

    __tablename__ = "signing_keys"

    # RFC 7638 thumbprint of the public key: 43 base64url characters for SHA-256.
    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    alg: Mapped[str] = mapped_column(String(16))
    private_key_encrypted: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    activates_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
