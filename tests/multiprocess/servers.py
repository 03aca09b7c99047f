"""Real ``tsp-auth serve`` processes (uvicorn, one worker each) on one PostgreSQL database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Server:
    name: str
    url: str
    started_at: float  # time.monotonic() once it answered /ready
    pid: int = 0


def server_env(database_url: str, issuer: str) -> dict[str, str]:
    """The same configuration for every process; nothing inherited from ours but the basics."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TSP_AUTH_")}
    env.update(
        TSP_AUTH_DATABASE_URL=database_url,
        TSP_AUTH_ISSUER=issuer,
        TSP_AUTH_KEY_PROPAGATION_DELAY="PT0S",
        TSP_AUTH_LOG_LEVEL="WARNING",
    )
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} not ready in 60 s:\n{log.read_text()}")


@contextmanager
def serve(name: str, env: dict[str, str], logs: Path, port: int | None = None) -> Iterator[Server]:
    """Start one process, wait until /ready, and stop it whatever happens."""
    port = port or free_port()
    log = logs / f"{name}.log"
    command = [str(BIN / "tsp-auth"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_ready(url, process, log)
            yield Server(name, url, time.monotonic(), process.pid)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


@contextmanager
def serve_many(envs: dict[str, dict[str, str]], logs: Path) -> Iterator[tuple[Server, ...]]:
    """One process per name, in order: each starts once the one before answered /ready (the
    first creates the database's first signing key)."""
    with ExitStack() as stack:
        yield tuple(stack.enter_context(serve(name, env, logs)) for name, env in envs.items())


@contextmanager
def serve_two(env: dict[str, str], logs: Path) -> Iterator[tuple[Server, Server]]:
    """A, then B: B starts once A has created the database's first signing key."""
    with serve_many({"a": env, "b": env}, logs) as (a, b):
        yield a, b
