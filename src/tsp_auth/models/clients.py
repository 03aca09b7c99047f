"""OAuth clients (RFC 6749 §2): partner apps and first-party clients of the platform."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, false, text
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
    # RFC 7591 §2 names (issue 23). None: the client type's default method (secret or none).
    token_endpoint_auth_method: Mapped[str | None] = mapped_column(String(32))
    jwks: Mapped[dict[str, object] | None] = mapped_column(JSON)  # private_key_jwt keys
    jwks_uri: Mapped[str | None] = mapped_column(String(2048))
    # RFC 9449 §5.2: only DPoP-bound access tokens for this client.
    dpop_bound_access_tokens: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # RFC 9126 §6: authorization requests only through PAR.
    require_pushed_authorization_requests: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    profile: Mapped[str | None] = mapped_column(String(16))  # None | fapi2 (oauth.profiles)
