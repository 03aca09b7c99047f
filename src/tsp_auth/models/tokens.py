"""OAuth codes, refresh tokens, login tokens and console sessions (DESIGN §3).

Only hashes of codes and opaque tokens are stored. Single use is one atomic
``UPDATE … WHERE used_at IS NULL`` on these rows (STYLE §11), so it holds across processes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from tsp_auth.models.base import Base, StringSet, UTCDateTime


class AuthorizationCode(Base):
    __tablename__ = "authorization_codes"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    grant_id: Mapped[str] = mapped_column(ForeignKey("grants.id"), index=True)
    subject: Mapped[str] = mapped_column(String(40))
    scopes: Mapped[frozenset[str]] = mapped_column(StringSet)
    redirect_uri: Mapped[str] = mapped_column(String(2048))
    code_challenge: Mapped[str | None] = mapped_column(String(128))
    code_challenge_method: Mapped[str | None] = mapped_column(String(8))
    family_id: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # cleanup
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TokenFamily(Base):
    """Everything issued from one authorization code: revoked together on replay or reuse."""

    __tablename__ = "token_families"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    grant_id: Mapped[str | None] = mapped_column(ForeignKey("grants.id"), index=True)
    subject: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(64))
    # RFC 9449 §5: a public client's refresh tokens are bound to its DPoP key (thumbprint).
    dpop_jkt: Mapped[str | None] = mapped_column(String(64))


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    family_id: Mapped[str] = mapped_column(ForeignKey("token_families.id"), index=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"))
    scopes: Mapped[frozenset[str]] = mapped_column(StringSet)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # cleanup
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RevokedToken(Base):
    """Access-token ids revoked before their expiry (RFC 7009); kept until they would expire."""

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LoginToken(Base):
    """A one-click TSP Access login token (a JWT); the row makes it single use."""

    __tablename__ = "login_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    grant_id: Mapped[str] = mapped_column(ForeignKey("grants.id"), index=True)
    grant_version: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    partner_id: Mapped[str] = mapped_column(String(40))
    seller_id: Mapped[str] = mapped_column(String(40))
    roles: Mapped[frozenset[str]] = mapped_column(StringSet)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # cleanup
    redeemed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ConsoleSession(Base):
    """A seller-console session on one browser profile.

    ``kind`` ``tsp_access``: opened with a login token, for a partner account acting for the
    seller; dies with its grant version. ``kind`` ``seller_account``: the seller's own Seller
    Center account (main or sub-account) signed in on the profile; ``member_id`` is that
    account and the login, grant and partner columns are empty. Seed 000 FAQ Q1: a profile
    holds one of them at a time, enforced by ``uq_console_sessions_live_profile``.
    """

    __tablename__ = "console_sessions"
    __table_args__ = (
        Index("ix_console_sessions_member_profile", "member_id", "browser_profile"),
        Index(
            "uq_console_sessions_live_profile",
            "browser_profile",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # tsp_access | seller_account
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    login_jti: Mapped[str | None] = mapped_column(ForeignKey("login_tokens.jti"), unique=True)
    grant_id: Mapped[str | None] = mapped_column(ForeignKey("grants.id"), index=True)
    grant_version: Mapped[int | None] = mapped_column(Integer)
    member_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    partner_id: Mapped[str | None] = mapped_column(String(40))
    seller_id: Mapped[str] = mapped_column(String(40))
    roles: Mapped[frozenset[str]] = mapped_column(StringSet)
    browser_profile: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # cleanup
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # cleanup
    end_reason: Mapped[str | None] = mapped_column(String(64))
