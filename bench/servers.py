"""Start the two floors (the bare-ASGI limit and the FastAPI floor) and tsp-auth as real uvicorn
processes, one worker each; each yields its pid, whose CPU the measurements read."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} not healthy in time")


@contextmanager
def serve(
    command: list[str], health_url: str, env: dict[str, str], log: Path, cwd: Path = ROOT
) -> Iterator[int]:
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
        try:
            _wait_healthy(health_url, process)
            yield process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _uvicorn(app: str, port: int, log: Path) -> AbstractContextManager[int]:
    """The floors' uvicorn settings: one worker, no access log (the same for both, so their
    difference is the framework's)."""
    command = [
        str(BIN / "uvicorn"),
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    return serve(command, f"http://127.0.0.1:{port}/floor", dict(os.environ), log)


def floor(port: int, log: Path) -> AbstractContextManager[int]:
    """The FastAPI floor: one bare endpoint (``floor_app``)."""
    return _uvicorn("bench.floor_app:app", port, log)


def limit(port: int, log: Path) -> AbstractContextManager[int]:
    """The bare-ASGI limit: no framework at all (``raw_floor``)."""
    return _uvicorn("bench.raw_floor:app", port, log)


def tsp_auth(port: int, env: dict[str, str], log: Path) -> AbstractContextManager[int]:
    command = [str(BIN / "tsp-auth"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    return serve(command, f"http://127.0.0.1:{port}/health", env, log)
