"""node oidc-provider (panva, certified) beside tsp-auth: the same OAuth requests on a peer.

The peer lives in the shared folder (`shared/peers/oidc-provider`, read-only), so it is copied
to `var/peers/oidc-provider` before `npm ci`, then started as its run.sh does (one Node
process, NODE_ENV=production), with its pid in `var/peers/oidc-provider.pid`. Its store is
the library's in-memory adapter: no database round trip, which the table says beside it.
Without node or npm, or when `npm ci` fails, its rows say "not run" and why.
"""

from __future__ import annotations

import base64
import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench import servers
from bench.verdicts import OIDC_PROVIDER
from bench.wrk import Request

LABEL = OIDC_PROVIDER
COPY = servers.ROOT / "var" / "peers" / "oidc-provider"
PID_FILE = servers.ROOT / "var" / "peers" / "oidc-provider.pid"
FORM = "application/x-www-form-urlencoded"
# server.js: one confidential client, `bench`, secret "s" x 40, client_secret_basic.
BASIC = ("Authorization", "Basic " + base64.b64encode(b"bench:" + b"s" * 40).decode())
TOKEN_BODY = "grant_type=client_credentials&scope=api"


# The rows the peer can serve, named after the tsp-auth rows they stand beside.
PATHS = (
    "introspection",
    "token (client_credentials), opaque",
    "token (client_credentials), JWT",
    "jwks",
)


class PeerUnavailable(Exception):
    """Why the peer was not run; the table prints it in place of figures."""


@dataclass(frozen=True)
class PeerScenario:
    name: str  # the tsp-auth row it stands beside
    request: Request


def find_source() -> Path | None:
    """`shared/peers/oidc-provider` beside the checkout or any folder above it (a worktree
    sits deeper than the main checkout)."""
    for folder in servers.ROOT.parents:
        candidate = folder / "shared" / "peers" / "oidc-provider"
        if (candidate / "server.js").is_file():
            return candidate
    return None


def install(source: Path | None) -> Path:
    """Copy the pinned peer out of the read-only shared folder and `npm ci` it once."""
    if source is None:
        raise PeerUnavailable("shared/peers/oidc-provider not found above the checkout")
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        raise PeerUnavailable(f"{' and '.join(missing)} not installed")
    lock = COPY / "package-lock.json"
    if lock.is_file() and lock.read_bytes() != (source / "package-lock.json").read_bytes():
        shutil.rmtree(COPY)  # a new pin: install afresh
    COPY.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json", "server.js", "run.sh"):
        target = COPY / name
        target.unlink(missing_ok=True)
        shutil.copyfile(source / name, target)
    if not (COPY / "node_modules" / "oidc-provider").is_dir():
        done = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=COPY, capture_output=True, text=True
        )
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise PeerUnavailable(f"npm ci failed: {last}")
    return COPY


def stop_recorded() -> None:
    """End the peer a previous run left behind, if its pid file names one of ours."""
    try:
        pid = int(PID_FILE.read_text())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ValueError):
        PID_FILE.unlink(missing_ok=True)
        return
    if b"server.js" in cmdline and Path(f"/proc/{pid}/cwd").resolve() == COPY.resolve():
        os.kill(pid, signal.SIGTERM)
    PID_FILE.unlink(missing_ok=True)


@contextmanager
def serve(folder: Path, port: int, log: Path) -> Iterator[int]:
    """run.sh's command, in the foreground of this harness so its pid is known exactly."""
    stop_recorded()
    env = {**os.environ, "NODE_ENV": "production", "PORT": str(port)}
    health = f"http://127.0.0.1:{port}/jwks"
    with servers.serve(["node", "server.js"], health, env, log, cwd=folder) as pid:
        PID_FILE.write_text(f"{pid}\n")
        try:
            yield pid
        finally:
            PID_FILE.unlink(missing_ok=True)


def _opaque_token(base_url: str) -> str:
    response = httpx.post(
        base_url + "/token",
        content=TOKEN_BODY,
        headers={"Content-Type": FORM, BASIC[0]: BASIC[1]},
        timeout=30,
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def _post(path: str, body: str) -> Request:
    return Request("POST", path, body=body, content_type=FORM, headers=(BASIC,))


def scenarios(base_url: str) -> list[PeerScenario]:
    """The requests of tsp-auth's OAuth rows, as far as the protocol allows: tsp-auth's
    client_credentials token is a JWT (RFC 9068), the peer issues both kinds."""
    introspection = _post("/token/introspection", f"token={_opaque_token(base_url)}")
    requests = (
        introspection,
        _post("/token", TOKEN_BODY),
        _post("/token", TOKEN_BODY + "&resource=urn:bench:jwt"),
        Request("GET", "/jwks"),
    )
    return [PeerScenario(name, r) for name, r in zip(PATHS, requests, strict=True)]
