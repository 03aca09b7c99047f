"""`tsp-auth keys rotate|list` and the wrapping key check, as an operator runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TIMEOUT = 60


def _run(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tsp_auth", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TSP_AUTH_")}
    return {**env, **values}


def test_keys_rotate_and_list(tmp_path: Path) -> None:
    env = _env(TSP_AUTH_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    assert _run("migrate", env=env, cwd=tmp_path).returncode == 0

    empty = _run("keys", "list", env=env, cwd=tmp_path)
    first = _run("keys", "rotate", env=env, cwd=tmp_path)
    second = _run("keys", "rotate", env=env, cwd=tmp_path)
    listed = _run("keys", "list", env=env, cwd=tmp_path)

    for result in (empty, first, second, listed):
        assert result.returncode == 0, result.stderr
        assert "BEGIN" not in result.stdout
        assert "PRIVATE" not in result.stdout
    assert "no signing keys" in empty.stdout
    header, *rows = listed.stdout.strip().splitlines()
    assert header.split() == ["kid", "state", "created", "activates", "retires"]
    states = {row.split()[0]: row.split()[1] for row in rows}
    first_kid, second_kid = first.stdout.split()[2], second.stdout.split()[2]
    assert states == {first_kid: "signing", second_kid: "pending"}
    first_row = next(row for row in rows if row.startswith(first_kid))
    assert first_row.split()[-1] != "-"  # the earlier key has a retirement time


def test_a_bad_wrapping_key_stops_serve_with_the_setting_name(tmp_path: Path) -> None:
    secret = "not-a-fernet-key-but-maybe-close-to-one"
    result = _run("serve", env=_env(TSP_AUTH_KEY_WRAPPING_KEY=secret), cwd=tmp_path)

    assert result.returncode == 2
    assert "TSP_AUTH_KEY_WRAPPING_KEY" in result.stderr
    assert secret not in result.stderr
    assert "Traceback" not in result.stderr


def test_rotate_refuses_a_wrapping_key_the_stored_keys_do_not_open(tmp_path: Path) -> None:
    env = _env(TSP_AUTH_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    assert _run("migrate", env=env, cwd=tmp_path).returncode == 0
    assert _run("keys", "rotate", env=env, cwd=tmp_path).returncode == 0
    other = "x" * 43 + "="

    result = _run("keys", "rotate", env={**env, "TSP_AUTH_KEY_WRAPPING_KEY": other}, cwd=tmp_path)

    assert result.returncode == 1
    assert "TSP_AUTH_KEY_WRAPPING_KEY" in result.stderr
    listed = _run("keys", "list", env=env, cwd=tmp_path)
    assert len(listed.stdout.strip().splitlines()) == 2  # header + the one key
