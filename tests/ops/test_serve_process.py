"""`tsp-auth serve` as a real process: SIGTERM drains the in-flight request, writes the last
log lines and exits 0; HEAD /health has no body on the wire; /metrics honours its token
(issue 13 item 10, docs/operations.md "Stopping").

The server runs on the session's migrated database (SQLite file or PostgreSQL); it commits
its first signing key for real, so the tables are emptied afterwards.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import h11
import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import _empty_tables
from tests.multiprocess.servers import BIN, ROOT, _wait_ready, free_port, server_env
from tsp_auth.config import Settings
from tsp_auth.server import STOPPED_MESSAGE

METRICS_TOKEN = "scraper-token-for-the-process-test"


@pytest.fixture(scope="module")
async def emptied_after(engine: AsyncEngine) -> AsyncIterator[None]:
    try:
        yield
    finally:
        await _empty_tables(engine)


class Process:
    def __init__(self, popen: subprocess.Popen[bytes], url: str, port: int, log: Path) -> None:
        self.popen, self.url, self.port, self.log = popen, url, port, log

    def lines(self) -> list[str]:
        return self.log.read_text().splitlines()


@contextmanager
def _serve(settings: Settings, log: Path) -> Iterator[Process]:
    env = server_env(settings.database_url, settings.issuer)
    env.update(TSP_AUTH_LOG_LEVEL="INFO", TSP_AUTH_METRICS_TOKEN=METRICS_TOKEN)
    port = free_port()
    command = [str(BIN / "tsp-auth"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        popen = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_ready(url, popen, log)
            yield Process(popen, url, port, log)
        finally:
            if popen.poll() is None:
                popen.kill()
            popen.wait(timeout=15)


@pytest.fixture(scope="module")
def running(
    settings: Settings, emptied_after: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Process]:
    """One server for the tests that leave it running."""
    with _serve(settings, tmp_path_factory.mktemp("serve") / "serve.log") as process:
        yield process


@pytest.fixture
def process(settings: Settings, emptied_after: None, tmp_path: Path) -> Iterator[Process]:
    """A server of the test's own, to stop."""
    with _serve(settings, tmp_path / "serve.log") as process:
        yield process


def _raw_exchange(port: int, request: h11.Request, *body: bytes) -> tuple[int, bytes]:
    """One request on a fresh connection, parsed with h11: status and the body bytes sent."""
    conn = h11.Connection(h11.CLIENT)
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(conn.send(request) or b"")
        for chunk in body:
            sock.sendall(conn.send(h11.Data(data=chunk)) or b"")
        sock.sendall(conn.send(h11.EndOfMessage()) or b"")
        return _read_response(conn, sock)


def _read_response(conn: h11.Connection, sock: socket.socket) -> tuple[int, bytes]:
    status, received = 0, b""
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(sock.recv(65536))
        elif isinstance(event, h11.Response):
            status = event.status_code
        elif isinstance(event, h11.Data):
            received += event.data
        elif isinstance(event, h11.EndOfMessage):
            return status, received


def test_head_health_sends_no_body_on_the_wire(running: Process) -> None:
    request = h11.Request(method="HEAD", target="/health", headers=[("Host", "127.0.0.1")])
    assert _raw_exchange(running.port, request) == (200, b"")
    get = h11.Request(method="GET", target="/health", headers=[("Host", "127.0.0.1")])
    assert _raw_exchange(running.port, get) == (200, b'{"status":"ok"}')


def test_metrics_token_is_read_from_the_environment(running: Process) -> None:
    assert httpx.get(f"{running.url}/metrics").status_code == 401
    bearer = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    assert httpx.get(f"{running.url}/metrics", headers=bearer).status_code == 200


def test_sigterm_drains_the_in_flight_request_and_flushes_the_logs(process: Process) -> None:
    body = b"account_id=acc_nobody&return_to=%2F"
    conn = h11.Connection(h11.CLIENT)
    headers = [
        ("Host", "127.0.0.1"),
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Content-Length", str(len(body))),
    ]
    with socket.create_connection(("127.0.0.1", process.port), timeout=30) as sock:
        # The request is in flight: headers and half its body are in, the rest comes later.
        sock.sendall(conn.send(h11.Request(method="POST", target="/dev/login", headers=headers)))
        sock.sendall(conn.send(h11.Data(data=body[:10])) or b"")
        time.sleep(0.5)  # let the server start the request before it is told to stop
        process.popen.send_signal(signal.SIGTERM)
        time.sleep(1.0)  # it stops accepting; the in-flight request must still be served
        sock.sendall(conn.send(h11.Data(data=body[10:])) or b"")
        sock.sendall(conn.send(h11.EndOfMessage()) or b"")
        status, answer = _read_response(conn, sock)

    # Served to the end (a refusal: no CSRF token), not cut off by the shutdown.
    assert status == 403 and b"csrf_token_invalid" in answer
    assert process.popen.wait(timeout=60) == 0
    lines = process.lines()
    assert any("Application shutdown complete" in line for line in lines), lines[-5:]
    last = json.loads(lines[-1])
    assert last["msg"] == STOPPED_MESSAGE and last["signals"] == ["SIGTERM"]
    # The drained request's access line made it out too (it was buffered, info level).
    access = [json.loads(line) for line in lines if '"logger":"tsp_auth.access"' in line]
    assert any(a["route"] == "/dev/login" and a["status"] == 403 for a in access)
