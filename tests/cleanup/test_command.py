"""`tsp-auth cleanup` as an operator runs it, and the settings it refuses."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from tests.webhooks.process import Command
from tsp_auth.config import Settings


def _revoked(path: Path, jti: str, expires_at: datetime) -> None:
    # SQLite keeps naive UTC (models.base.UTCDateTime).
    stored = expires_at.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO revoked_tokens (jti, expires_at, revoked_at) VALUES (?, ?, ?)",
            (jti, stored, stored),
        )


def _jtis(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT jti FROM revoked_tokens")}


def test_cleanup_command_deletes_what_is_past_retention(tmp_path: Path) -> None:
    path = tmp_path / "ops.db"
    url = f"sqlite+aiosqlite:///{path}"
    unmigrated = Command("cleanup", database_url=url, cwd=tmp_path)
    assert unmigrated.finish() == 1
    assert "database error" in "".join(unmigrated.text)
    assert Command("migrate", database_url=url, cwd=tmp_path).finish() == 0
    now = datetime.now(UTC)
    _revoked(path, "old", now - timedelta(days=2))  # past the default grace of 1 day
    _revoked(path, "recent", now - timedelta(hours=1))

    run = Command("cleanup", database_url=url, cwd=tmp_path)

    assert run.finish() == 0
    output = "".join(run.text)
    assert "cleanup: 1 rows deleted (authorization_codes 0, refresh_tokens 0, " in output
    assert "revoked_tokens 1," in output
    assert _jtis(path) == {"recent"}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("cleanup_token_grace", timedelta(seconds=30)),
        ("cleanup_session_retention", timedelta(0)),
        ("cleanup_outbox_retention", timedelta(days=-1)),
        ("cleanup_interval", timedelta(seconds=10)),
        ("cleanup_interval", timedelta(days=2)),
        ("cleanup_batch_size", 0),
        ("cleanup_batch_size", 10_001),
    ],
)
def test_unsafe_cleanup_settings_are_refused(name: str, value: object) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(**{name: value})  # type: ignore[arg-type]
    assert [e["loc"] for e in refused.value.errors()] == [(name,)]


def test_cleanup_defaults_keep_rows_past_expiry() -> None:
    settings = Settings()
    assert settings.cleanup_token_grace == timedelta(days=1)
    assert settings.cleanup_session_retention == timedelta(days=7)
    assert settings.cleanup_outbox_retention == timedelta(days=30)
    assert settings.cleanup_interval == timedelta(hours=1)
    assert settings.cleanup_batch_size == 1000


def test_a_bad_cleanup_setting_stops_the_command_with_its_name(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    env = {"TSP_AUTH_CLEANUP_TOKEN_GRACE": "PT1S"}
    run = Command("cleanup", database_url=url, cwd=tmp_path, env=env)
    assert run.finish() == 2
    assert "configuration error: TSP_AUTH_CLEANUP_TOKEN_GRACE" in "".join(run.text)
