"""The first hour works as written (issue 22): README's "Try it" block runs as it stands with a
port other than 8000, and `make run` refuses a bad PORT in one line before touching var/."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"<!-- try-it: begin -->\n```sh\n(.*?)```\n<!-- try-it: end -->", re.S)


def _free_port_pair() -> int:
    """A port free now whose +1000 (the worker's metrics) is free too."""
    for _ in range(50):
        with socket.socket() as one:
            one.bind(("127.0.0.1", 0))
            port = one.getsockname()[1]
        if port + 1000 > 65535:
            continue
        with socket.socket() as other:
            try:
                other.bind(("127.0.0.1", port + 1000))
            except OSError:
                continue
        return port
    raise AssertionError("no free pair of ports")


def _try_it_block() -> str:
    found = BLOCK.search((ROOT / "README.md").read_text())
    assert found is not None, "README has no try-it block"
    return found.group(1)


def test_the_readme_try_it_block_runs_as_written_on_another_port(tmp_path: Path) -> None:
    port = _free_port_pair()
    block = _try_it_block()
    assert "export PORT=8000\n" in block
    script = block.replace("export PORT=8000\n", f"export PORT={port}\n")
    # Its own database, so the developer's var/tsp_auth.db stays as it is; `tsp-auth demo`
    # writes the quickstart beside it (README: "The quickstart file and links").
    env = {**os.environ, "TSP_AUTH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'try.db'}"}
    env.pop("PORT", None)
    out_file, err_file = tmp_path / "out", tmp_path / "err"
    with out_file.open("w") as out_to, err_file.open("w") as err_to:
        # Files, not pipes: the background server keeps what it inherited open.
        shell = subprocess.Popen(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=ROOT,
            env=env,
            stdout=out_to,
            stderr=err_to,
            start_new_session=True,  # `make run &` and its server: one group to stop after
        )
        try:
            shell.wait(timeout=300)
        finally:
            os.killpg(shell.pid, signal.SIGTERM)
    out, err = out_file.read_text(), err_file.read_text()
    log = (ROOT / "var" / "run.log").read_text() if (ROOT / "var" / "run.log").exists() else ""
    assert shell.returncode == 0, f"{err}\n{log[-3000:]}"
    grants, created = _json_values(out)
    assert grants["items"] == []  # nothing authorized yet
    assert created["card_url"].startswith(f"http://127.0.0.1:{port}/bc/business-centers/bc_demo/")
    assert created["link"].startswith(f"http://127.0.0.1:{port}/bc/authorize/")


def _json_values(text: str) -> list[Any]:
    """The JSON documents curl printed one after the other (curl adds no newline)."""
    decoder, values, at = json.JSONDecoder(), [], 0
    while at < len(text.rstrip()):
        value, at = decoder.raw_decode(text, at)
        values.append(value)
        while at < len(text) and text[at].isspace():
            at += 1
    return values


def _var_state() -> dict[str, tuple[int, int]]:
    var = ROOT / "var"
    if not var.exists():
        return {}
    return {
        str(p.relative_to(var)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in var.rglob("*")
        if p.is_file() and "screenshots" not in p.parts and p.name != "run.log"
    }


@pytest.mark.parametrize("port", ["abc", "99999", "0"])
def test_make_run_refuses_a_bad_port_in_one_line_and_writes_nothing(port: str) -> None:
    before = _var_state()
    done = subprocess.run(
        ["make", "--no-print-directory", "run", f"PORT={port}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert f"PORT must be a port, a whole number from 1 to 65535 (got '{port}')" in line
    assert _var_state() == before
