"""Settings: one pydantic-settings class, prefix ``TSP_AUTH_``, validated at start."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import limits
from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Development defaults: they make `make run` work with nothing configured, and production
# mode refuses every one of them (STYLE §7).
DEV_KEY_WRAPPING_KEY = "ZGV2LW9ubHktd3JhcHBpbmcta2V5LWRvLW5vdC11c2U="
DEV_ID_TOKEN_SECRET = "dev-only-id-token-secret-do-not-use-in-production"  # noqa: S105
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/tsp_auth.db"
# Where plain http stays on the machine (RFC 9700 §2.6 asks for TLS everywhere else).
LOOPBACK_HOSTS = frozenset(("127.0.0.1", "localhost", "::1"))


class Settings(BaseSettings):
    """Every knob of the service. Bad values stop start-up with the setting's name."""

    model_config = SettingsConfigDict(
        env_prefix="TSP_AUTH_", extra="ignore", hide_input_in_errors=True
    )

    environment: Literal["development", "production"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
    database_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    database_pool_size: int = Field(default=20, ge=1, le=200)

    # Public hosts of the authorization link (seed 004: US and rest-of-world domains).
    host_us: str = "partner.us.tiktokshop.com"
    host_row: str = "partner.tiktokshop.com"
    # Seller console hosts: they redeem TSP Access login tokens, whose `aud` names them
    # (DESIGN §3 "aud = the seller console of that market"; US markets use the US console).
    console_host_us: str = "seller-us.tiktokshop.com"
    console_host_row: str = "seller.tiktokshop.com"
    # Development only: serve the local seller console (`tsp_auth.console`, under /console) and
    # point `login_url` at it, so one-click login can be clicked through on one machine
    # (`make run` sets it). Production refuses it and keeps the configured console hosts.
    local_console: bool = False
    public_scheme: Literal["http", "https"] = "https"
    issuer: str = "http://127.0.0.1:8000"
    # Addresses whose X-Forwarded-For/-Proto uvicorn believes (its forwarded_allow_ips):
    # comma-separated IPs or CIDR ranges, or "*" when only the proxy can reach the service.
    forwarded_allow_ips: str = Field(default="127.0.0.1", min_length=1, max_length=2048)
    # Drain on SIGTERM: in-flight requests get this long to finish (docs/operations.md).
    shutdown_grace_seconds: int = Field(default=30, ge=1, le=600)
    # Unset: /metrics answers anyone who reaches it. Set: only `Authorization: Bearer <it>`.
    metrics_token: SecretStr | None = None

    key_wrapping_key: SecretStr = SecretStr(DEV_KEY_WRAPPING_KEY)
    # How long a rotated-in key is published before it signs: at least the JWKS max-age
    # (300 s) plus the key ring's refresh interval (60 s), so every verifier and every process
    # knows the key before its first token (docs/keys.md). PT0S switches at once.
    key_propagation_delay: timedelta = timedelta(minutes=6)
    id_token_secret: SecretStr = SecretStr(DEV_ID_TOKEN_SECRET)
    dev_issuer_enabled: bool = True
    # The platform login service that signs identity tokens for first-party frontends.
    identity_issuer: str = "tsp-auth-dev-issuer"
    identity_token_ttl: timedelta = timedelta(hours=1)

    authorization_request_ttl: timedelta = timedelta(minutes=15)
    # seed 001: the seller must "confirm the terms and conditions"; consent names this version.
    terms_version: str = Field(default="2025-12", min_length=1, max_length=32)
    authorization_code_ttl: timedelta = timedelta(seconds=60)
    # RFC 9126 (issue 23): how long a pushed request's request_uri may be used (≤ 60 s), and
    # whether every partner app must push its authorization requests (§6, server-wide).
    pushed_authorization_request_ttl: timedelta = timedelta(seconds=60)
    require_pushed_authorization_requests: bool = False
    # RFC 9449 (issue 23): DPoP proofs at the token endpoint must carry a nonce we issued
    # (§8), and are accepted this long after their iat.
    dpop_nonces: bool = True
    dpop_proof_max_age: timedelta = timedelta(seconds=60)
    # Hold every live partner app to the fapi2 profile (docs/oauth.md, "The fapi2 profile").
    require_fapi2_for_live_partner_apps: bool = False
    access_token_ttl: timedelta = timedelta(minutes=15)
    refresh_token_ttl: timedelta = timedelta(days=30)
    # `aud` of the access tokens we issue (RFC 9068 §3): the partner API they are for, one
    # resource server. Unset: "{issuer}/api" (docs/oauth.md).
    access_token_audience: str | None = Field(default=None, min_length=1, max_length=512)
    login_token_ttl: timedelta = timedelta(minutes=5)
    console_session_ttl: timedelta = timedelta(hours=8)
    sea_launch_date: date | None = None

    retry_after_seconds: int = Field(default=5, ge=1, le=300)
    # Webhook delivery by `tsp-auth worker` (docs/operations.md).
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    webhook_max_attempts: int = Field(default=8, ge=1, le=20)
    # After a secret rotation the previous secret keeps signing this long (Standard Webhooks).
    webhook_secret_overlap_seconds: int = Field(default=86_400, ge=0, le=7 * 86_400)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Cleanup by `tsp-auth cleanup` and by the worker every `cleanup_interval`: rows are kept
    # this long after they stopped mattering (docs/operations.md "Cleanup"). Audit events stay.
    cleanup_interval: timedelta = timedelta(hours=1)
    cleanup_batch_size: int = Field(default=1000, ge=1, le=10_000)
    cleanup_token_grace: timedelta = timedelta(days=1)
    cleanup_session_retention: timedelta = timedelta(days=7)
    cleanup_outbox_retention: timedelta = timedelta(days=30)
    # Attempt budgets, in the notation of the `limits` library ("10/minute", "5 per 2 seconds"),
    # kept in each process's memory (docs/operations.md "Rate limits").
    rate_limit_client_auth_failures: str = "10/minute"
    rate_limit_per_account: str = "30/minute"
    rate_limit_per_address: str = "300/minute"
    rate_limit_link_creation: str = "60/minute"
    # The per-process cache of the hot paths (docs/coherence.md): at most this many entries
    # (0: no cache, every answer from the database).
    cache_max_entries: int = Field(default=100_000, ge=0, le=10_000_000)
    # Cross-process invalidation on PostgreSQL: each process holds a lease this long, renewed
    # every third of it by the database clock; a writer waits at most about one lease.
    coherence_lease_seconds: float = Field(default=5.0, ge=0.5, le=60)
    # How much faster or slower than the database's clock a local clock may run (a rate).
    coherence_clock_drift: float = Field(default=0.01, ge=0, le=0.1)
    # The listener's own connection (LISTEN, lease, acks). Unset: the database URL.
    coherence_listen_url: str | None = Field(default=None, min_length=1, max_length=2048)

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("issuer")
    @classmethod
    def _absolute_issuer(cls, value: str) -> str:
        parts = urlsplit(value)
        try:
            parts.port  # noqa: B018 (raises for a port that is not a number or out of range)
        except ValueError:
            raise ValueError("has a port that is not a number from 1 to 65535") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an absolute http(s) URL, e.g. https://auth.example.com")
        return value

    @field_validator("metrics_token")
    @classmethod
    def _long_metrics_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters (a random token)")
        return value

    @field_validator(
        "rate_limit_client_auth_failures",
        "rate_limit_per_account",
        "rate_limit_per_address",
        "rate_limit_link_creation",
    )
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        try:
            allowed = limits.parse(value).amount
        except ValueError:
            allowed = 0
        if allowed < 1:
            raise ValueError('must be a rate such as "10/minute" or "5 per 2 seconds"')
        return value

    @field_validator("key_wrapping_key")
    @classmethod
    def _fernet_key(cls, value: SecretStr) -> SecretStr:
        try:
            Fernet(value.get_secret_value())
        except ValueError:
            # The value itself is never echoed: it is (a near miss of) a secret.
            raise ValueError(
                "must be a Fernet key (urlsafe base64 of 32 bytes); generate one with "
                "python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'"
            ) from None
        return value

    @field_validator("key_propagation_delay")
    @classmethod
    def _bounded_delay(cls, value: timedelta) -> timedelta:
        if not timedelta(0) <= value <= timedelta(days=1):
            raise ValueError("must be between 0 seconds and 1 day")
        return value

    @field_validator("authorization_code_ttl")
    @classmethod
    def _short_code(cls, value: timedelta) -> timedelta:
        # RFC 6749 §4.1.2: a maximum authorization code lifetime of 10 minutes; we keep ≤ 60 s.
        if not timedelta(0) < value <= timedelta(seconds=60):
            raise ValueError("must be between 1 and 60 seconds")
        return value

    @field_validator("dpop_proof_max_age")
    @classmethod
    def _short_proof(cls, value: timedelta) -> timedelta:
        # RFC 9449 §11.1: a short window bounds what a stolen or pre-made proof is worth.
        if not timedelta(seconds=5) <= value <= timedelta(minutes=5):
            raise ValueError("must be between 5 seconds and 5 minutes")
        return value

    @field_validator("pushed_authorization_request_ttl")
    @classmethod
    def _short_request_uri(cls, value: timedelta) -> timedelta:
        # RFC 9126 §2.2: "short lived"; FAPI 2.0 asks for less than 600 s, we keep ≤ 60 s.
        if not timedelta(0) < value <= timedelta(seconds=60):
            raise ValueError("must be between 1 and 60 seconds")
        return value

    @field_validator("login_token_ttl")
    @classmethod
    def _short_login(cls, value: timedelta) -> timedelta:
        if not timedelta(0) < value <= timedelta(minutes=5):
            raise ValueError("must be between 1 second and 5 minutes (DESIGN §3)")
        return value

    @field_validator("cleanup_interval")
    @classmethod
    def _cleanup_interval(cls, value: timedelta) -> timedelta:
        if not timedelta(minutes=1) <= value <= timedelta(days=1):
            raise ValueError("must be between 1 minute and 1 day")
        return value

    @field_validator("cleanup_token_grace", "cleanup_session_retention", "cleanup_outbox_retention")
    @classmethod
    def _cleanup_retention(cls, value: timedelta) -> timedelta:
        # Past the 30 s JWT leeway with room to spare: a deleted row's token or code is then
        # refused for its expiry anyway, so deleting it never makes a replay succeed.
        if not timedelta(minutes=10) <= value <= timedelta(days=3650):
            raise ValueError("must be between 10 minutes and 3650 days")
        return value

    @model_validator(mode="after")
    def _production_refuses_dev_defaults(self) -> Settings:
        if self.environment != "production":
            return self
        refused = [
            name
            for name, value, dev in (
                ("TSP_AUTH_KEY_WRAPPING_KEY", self.key_wrapping_key, DEV_KEY_WRAPPING_KEY),
                ("TSP_AUTH_ID_TOKEN_SECRET", self.id_token_secret, DEV_ID_TOKEN_SECRET),
            )
            if value.get_secret_value() == dev
        ]
        if self.dev_issuer_enabled:
            refused.append("TSP_AUTH_DEV_ISSUER_ENABLED")
        if self.local_console:
            refused.append("TSP_AUTH_LOCAL_CONSOLE")
        if self.database_url == DEFAULT_DATABASE_URL:
            refused.append("TSP_AUTH_DATABASE_URL")
        if not self.issuer_is_https and urlsplit(self.issuer).hostname not in LOOPBACK_HOSTS:
            # RFC 9700 §2.6 / RFC 8414 §2: a public issuer is https (and cookies Secure).
            refused.append("TSP_AUTH_ISSUER (https)")
        if refused:
            raise ValueError("production refuses development defaults; set " + ", ".join(refused))
        return self

    @property
    def issuer_is_https(self) -> bool:
        return self.issuer.lower().startswith("https://")

    @property
    def issuer_origin(self) -> str:
        """``scheme://host[:port]`` of the issuer: the one origin our forms are posted from."""
        parts = urlsplit(self.issuer)
        return f"{parts.scheme.lower()}://{parts.netloc.rpartition('@')[2].lower()}"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        """The database file of an SQLite URL, so its folder can be created."""
        if not self.is_sqlite:
            return None
        path = self.database_url.split(":///", 1)[1].split("?", 1)[0]
        return None if path in ("", ":memory:") else Path(path)


@lru_cache
def get_settings() -> Settings:
    return Settings()
