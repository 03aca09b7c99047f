"""The Cerbos PDP beside tsp-auth's decisions: a policy decision point a team would deploy
instead of writing a decision service (issue 24 item 1).

``shared/peers/cerbos`` (read-only) holds its config, the policy of the same console decision
(``policies/shop.yaml``: may this partner member do ``seller_center.<area>`` on this shop, with
the grant's state and roles passed as principal attributes) and the request (``check.json``).
They are copied to ``var/peers/cerbos``; the binary is the one ``run.sh`` names, from the npm
package ``@cerbos/cerbos-linux-x64`` pinned there, installed once under ``var/peers/cerbos-npm``
(never committed). It listens on ports of this run's choosing, in the harness's foreground so
its pid (and CPU) is known exactly. Without npm, or when the install fails, its row says
"not run" and why.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench import servers
from bench.peer import PeerUnavailable
from bench.verdicts import CERBOS, DECISIONS
from bench.wrk import Request

LABEL, PATH = CERBOS, DECISIONS
COPY = servers.ROOT / "var" / "peers" / "cerbos"
NPM = servers.ROOT / "var" / "peers" / "cerbos-npm"
FILES = ("config.yaml", "check.json", "run.sh")
_PIN = re.compile(r"(@cerbos/cerbos-linux-x64)@([0-9][0-9A-Za-z.+-]*)")
CHECK = "/api/check/resources"


def find_source() -> Path | None:
    """`shared/peers/cerbos` beside the checkout or any folder above it."""
    for folder in servers.ROOT.parents:
        candidate = folder / "shared" / "peers" / "cerbos"
        if (candidate / "config.yaml").is_file():
            return candidate
    return None


def package(run_sh: str) -> tuple[str, str]:
    """The npm package and version ``run.sh`` installs (its pin is the peer's version)."""
    match = _PIN.search(run_sh)
    if match is None:
        raise PeerUnavailable("run.sh names no @cerbos/cerbos-linux-x64 version")
    return match.group(1), match.group(2)


def _binary(name: str) -> Path:
    return NPM / "node_modules" / name / name.rsplit("/", 1)[1]


def install(source: Path | None) -> Path:
    """Copy the peer out of the read-only shared folder; npm-install its binary once."""
    if source is None:
        raise PeerUnavailable("shared/peers/cerbos not found above the checkout")
    if shutil.which("npm") is None:
        raise PeerUnavailable("npm not installed")
    shutil.rmtree(COPY, ignore_errors=True)
    shutil.copytree(source / "policies", COPY / "policies")
    for name in FILES:
        shutil.copyfile(source / name, COPY / name)
    name, version = package((source / "run.sh").read_text())
    binary = _binary(name)
    if not binary.is_file() or _version(binary) != version:
        NPM.mkdir(parents=True, exist_ok=True)
        (NPM / "package.json").write_text('{"name": "bench-cerbos", "private": true}\n')
        done = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", f"{name}@{version}"],
            cwd=NPM,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0 or not binary.is_file():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise PeerUnavailable(f"npm install {name}@{version} failed: {last}")
    binary.chmod(0o755)
    return binary


def _version(binary: Path) -> str | None:
    """The version npm recorded beside the binary (its package.json)."""
    try:
        text = (binary.parent / "package.json").read_text()
    except FileNotFoundError:
        return None
    found = re.search(r'"version"\s*:\s*"([^"]+)"', text)
    return found.group(1) if found else None


def configure(http_port: int, grpc_port: int) -> None:
    """The shared config with this run's ports (the shared one fixes 8905 and 8906)."""
    config = (COPY / "config.yaml").read_text()
    config = re.sub(r'httpListenAddr: "[^"]*"', f'httpListenAddr: "127.0.0.1:{http_port}"', config)
    config = re.sub(r'grpcListenAddr: "[^"]*"', f'grpcListenAddr: "127.0.0.1:{grpc_port}"', config)
    (COPY / "config.yaml").write_text(config)


@contextmanager
def serve(binary: Path, http_port: int, grpc_port: int, log: Path) -> Iterator[int]:
    """``run.sh``'s command (policies from disk, audit off), in the foreground of the harness."""
    configure(http_port, grpc_port)
    command = [str(binary), "server", "--config=config.yaml"]
    health = f"http://127.0.0.1:{http_port}/_cerbos/health"
    with servers.serve(command, health, {"PATH": "/usr/bin:/bin"}, log, cwd=COPY) as pid:
        yield pid


def request() -> Request:
    return Request("POST", CHECK, body=(COPY / "check.json").read_text().strip())


def check_allows(base_url: str) -> None:
    """The measured request is a real decision: the policy allows the member's action."""
    answer = httpx.post(base_url + CHECK, content=request().body, timeout=30)
    answer.raise_for_status()
    actions = answer.json()["results"][0]["actions"]
    if set(actions.values()) != {"EFFECT_ALLOW"}:
        raise PeerUnavailable(f"Cerbos did not allow check.json's action: {actions}")
