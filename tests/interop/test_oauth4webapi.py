"""oauth4webapi (panva's, the first client certified for FAPI 2.0) drives a FAPI 2.0 flow
against a live ``tsp-auth serve`` (issue 23): PAR with private_key_jwt, authorize with
request_uri, code exchange with a DPoP proof, cnf.jkt in the access token, refresh,
introspection showing cnf, revocation.

Node and the pinned package come from the project's files (package.json, scripts/ensure-node,
run by ``make test``); without them this test fails, it is never skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from base64 import urlsafe_b64encode
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from jwt.algorithms import ECAlgorithm
from sqlalchemy import func, select

from tests.conftest import wire
from tests.consent.helpers import decision, pick
from tests.factories import Factory
from tests.multiprocess.servers import BIN, ROOT, free_port, serve
from tests.oauth.helpers import SCOPES
from tests.oauth.jose_helpers import ClientKey
from tests.oauth.test_private_key_jwt import keyed_app
from tsp_auth.app import create_app
from tsp_auth.config import Settings
from tsp_auth.db import create_sessionmaker
from tsp_auth.db.engine import create_engine
from tsp_auth.models import PushedAuthorizationRequest, UsedJti

SCRIPT = Path(__file__).with_name("fapi2_flow.mjs")
PACKAGE = ROOT / "node_modules" / "oauth4webapi" / "package.json"
REDIRECT = "https://app.example.com/callback"


def _thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638, computed here from the key node exported."""
    members = {"EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x")}[jwk["kty"]]
    canonical = json.dumps({k: jwk[k] for k in members}, separators=(",", ":"))
    return urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A migrated SQLite database served by one ``tsp-auth serve`` whose issuer is its URL."""
    folder = tmp_path_factory.mktemp("interop")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    database_url = f"sqlite+aiosqlite:///{folder / 'tsp_auth.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TSP_AUTH_")}
    env.update(
        TSP_AUTH_DATABASE_URL=database_url,
        TSP_AUTH_ISSUER=base,
        TSP_AUTH_KEY_PROPAGATION_DELAY="PT0S",
        TSP_AUTH_LOG_LEVEL="WARNING",
    )
    subprocess.run([str(BIN / "tsp-auth"), "migrate"], env=env, check=True, capture_output=True)
    with serve("interop", env, folder, port):
        yield base, database_url


@pytest.fixture
async def setup(live: tuple[str, str]) -> AsyncIterator[Factory]:
    """Rows written straight to the served database; identity tokens from the server."""
    base, database_url = live
    settings = Settings(database_url=database_url, issuer=base)
    engine = create_engine(settings)
    app = create_app(settings)
    wire(app, engine, create_sessionmaker(engine))
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        yield Factory(app, http)
    await engine.dispose()


def _node(flow: dict[str, Any]) -> dict[str, Any]:
    if shutil.which("node") is None or not PACKAGE.is_file():
        pytest.fail("node or oauth4webapi missing: run scripts/ensure-node (make test does)")
    done = subprocess.run(
        ["node", str(SCRIPT)],
        env={**os.environ, "FLOW": json.dumps(flow)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


async def _count(factory: Factory, model: Any, *where: Any) -> int:
    async with factory.app.state.sessionmaker() as session:
        statement = select(func.count()).select_from(model).where(*where)
        return int(await session.scalar(statement) or 0)


async def test_oauth4webapi_completes_a_fapi2_flow(setup: Factory) -> None:
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["oauth4webapi"]
    assert json.loads(PACKAGE.read_text())["version"] == pinned
    key = ClientKey.generate("ES256")
    app = await keyed_app(setup, key, profile="fapi2")
    private_jwk = {**ECAlgorithm.to_jwk(key.private, as_dict=True), "kid": key.kid}
    flow = {
        "issuer": str(setup.client.base_url).rstrip("/"),
        "client_id": app.client_id,
        "client_jwk": private_jwk,
        "dpop_alg": "ES256",
        "redirect_uri": REDIRECT,
        "scope": " ".join(SCOPES),
        "seller_authorization": app.seller_headers["Authorization"],
        "decision": decision(pick(app.service)),
    }
    seen = _node(flow)

    assert seen["par_expires_in"] == 60
    assert seen["consent_path"].startswith("/consent/")
    jkt = _thumbprint(seen["dpop_public_jwk"])
    assert (seen["token_type"], seen["access_claims"]["cnf"]) == ("dpop", {"jkt": jkt})
    assert (seen["refreshed_token_type"], seen["refreshed_claims"]["cnf"]) == ("dpop", {"jkt": jkt})
    introspection = seen["introspection"]
    assert introspection["active"] is True and introspection["cnf"] == {"jkt": jkt}
    assert introspection["token_type"] == "DPoP"
    assert seen["after_revocation"] == {"active": False}
    # What the server kept: the request_uri spent, every assertion and proof jti recorded.
    used = PushedAuthorizationRequest.used_at.is_not(None)
    assert await _count(setup, PushedAuthorizationRequest, used) == 1
    assertions = await _count(setup, UsedJti, UsedJti.kind == "client_assertion")
    proofs = await _count(setup, UsedJti, UsedJti.kind == "dpop_proof")
    assert assertions >= 6 and proofs == 2
