"""`tsp-auth` says what it does (issue 22): `--version`, every subcommand described with its
options' defaults, usage errors and an unreachable database in one line, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tsp_auth import __version__

TSP_AUTH = str(Path(sys.executable).with_name("tsp-auth"))


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TSP_AUTH, *args], capture_output=True, text=True, timeout=120, env=env or dict(os.environ)
    )


def test_version() -> None:
    done = _run("--version")
    assert (done.returncode, done.stdout.strip()) == (0, f"tsp-auth {__version__}")


@pytest.mark.parametrize(
    ("command", "says"),
    [
        (("serve",), ["Run the HTTP service.", "port to listen on (default: 8000)"]),
        (("demo",), ["(default: http://127.0.0.1:8000)"]),
        (("worker",), ["seconds between drains (default: 5.0)"]),
        (("openapi",), ["(default: openapi/openapi.json)"]),
        (("keys", "rotate"), ["Add a key"]),
        (("migrate",), ["Migrate the database to head."]),
    ],
)
def test_each_subcommand_describes_itself_with_defaults(
    command: tuple[str, ...], says: list[str]
) -> None:
    done = _run(*command, "--help")
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    assert all(" ".join(s.split()) in text for s in says), done.stdout


@pytest.mark.parametrize("port", ["abc", "99999", "0"])
def test_a_bad_port_is_one_line(port: str) -> None:
    done = _run("serve", "--port", port)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"tsp-auth serve: argument --port: '{port}' is not a port (a number from 1 to 65535)"
    ]


def test_a_bad_base_url_of_the_demo_is_one_line() -> None:
    done = _run("demo", "--base-url", "http://127.0.0.1:abc")
    assert (done.returncode, len(done.stderr.splitlines())) == (2, 1)
    assert "has no valid port" in done.stderr


@pytest.mark.parametrize("command", ["migrate", "demo"])
def test_an_unreachable_database_is_one_line(command: str, tmp_path: Path) -> None:
    # Port 1 on the loopback: nothing listens there, the connection is refused at once.
    url = "postgresql+asyncpg://postgres@127.0.0.1:1/nothing"
    env = {**os.environ, "TSP_AUTH_DATABASE_URL": url}
    extra = ("--output", str(tmp_path / "q.json")) if command == "demo" else ()
    done = _run(command, *extra, env=env)
    assert done.returncode == 1
    [line] = done.stderr.splitlines()
    assert line.startswith("tsp-auth: cannot use the database (")
    assert "TSP_AUTH_DATABASE_URL" in line
    assert not (tmp_path / "q.json").exists()


def test_an_issuer_with_a_bad_port_stops_before_anything() -> None:
    env = {**os.environ, "TSP_AUTH_ISSUER": "http://127.0.0.1:99999"}
    done = _run("migrate", env=env)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "configuration error: TSP_AUTH_ISSUER: Value error, has a port that is not a number "
        "from 1 to 65535"
    ]
