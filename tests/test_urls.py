"""Where authorization links point (docs/consent.md, "Where links point"): pure rules."""

from __future__ import annotations

from cryptography.fernet import Fernet
from pydantic import SecretStr

from tsp_auth.config import Settings
from tsp_auth.kit import urls


def _production(**hosts: str) -> Settings:
    return Settings(
        environment="production",
        database_url="postgresql+asyncpg://tsp@db/tsp",
        key_wrapping_key=SecretStr(Fernet.generate_key().decode()),
        id_token_secret=SecretStr("a-production-secret-of-enough-length-0123456789"),
        dev_issuer_enabled=False,
        issuer="https://auth.example.com",
        **hosts,
    )


def test_production_uses_the_market_hosts_even_when_left_at_their_defaults() -> None:
    settings = _production()
    assert urls.link_origin(settings, "US") == "https://partner.us.tiktokshop.com"
    assert urls.link_origin(settings, "ROW") == "https://partner.tiktokshop.com"


def test_development_uses_the_issuer_unless_a_host_is_configured() -> None:
    local = Settings(issuer="http://127.0.0.1:8001")
    assert urls.link_origin(local, "US") == "http://127.0.0.1:8001"
    assert urls.link_origin(local, "ROW") == "http://127.0.0.1:8001"
    one = Settings(issuer="http://127.0.0.1:8001", host_row="partner.staging.example.com")
    assert urls.link_origin(one, "ROW") == "https://partner.staging.example.com"
    assert urls.link_origin(one, "US") == "http://127.0.0.1:8001"
