from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from tsp_auth.config import Settings


def test_production_refuses_development_defaults() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(environment="production")
    message = str(caught.value)
    for name in (
        "TSP_AUTH_KEY_WRAPPING_KEY",
        "TSP_AUTH_ID_TOKEN_SECRET",
        "TSP_AUTH_DEV_ISSUER_ENABLED",
        "TSP_AUTH_DATABASE_URL",
    ):
        assert name in message


def test_production_accepts_real_settings() -> None:
    settings = Settings(
        environment="production",
        key_wrapping_key="x" * 43 + "=",
        id_token_secret="a-long-random-secret-from-the-platform-issuer",
        dev_issuer_enabled=False,
        database_url="postgresql+asyncpg://tsp@db/tsp",
    )
    assert settings.environment == "production"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("database_url", "mysql://x"),
        ("authorization_code_ttl", "PT5M"),
        ("login_token_ttl", "PT10M"),
    ],
)
def test_bad_values_name_the_setting(field: str, value: str) -> None:
    with pytest.raises(ValidationError, match=field):
        Settings(**{field: value})


def test_cli_start_stops_with_the_setting_name() -> None:
    env = {**os.environ, "TSP_AUTH_ENVIRONMENT": "production"}
    result = subprocess.run(
        [sys.executable, "-m", "tsp_auth", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "configuration error" in result.stderr
    assert "TSP_AUTH_KEY_WRAPPING_KEY" in result.stderr
    assert "Traceback" not in result.stderr
