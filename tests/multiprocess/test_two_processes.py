"""Two ``tsp-auth serve`` processes, one PostgreSQL: single use, cancels and key rotation hold
across processes because the database decides (DESIGN §4 "Scale-out", STYLE §11)."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable

import pytest
from httpx import AsyncClient, Response

from tests.multiprocess.conftest import Cluster
from tests.multiprocess.servers import BIN, ROOT
from tests.oauth.helpers import obtain_code, partner_app, redeem, token_request, tokens
from tests.tsp_access.helpers import decide, login, login_token, make_world
from tests.tsp_access.helpers import redeem as start_session

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)

PER_PROCESS = 16
# The key ring refreshes on an unknown kid at most this often (keys/ring.py).
UNKNOWN_KID_REFRESH_SECONDS = 5


async def _race(
    cluster: Cluster, call: Callable[[AsyncClient], Awaitable[Response]]
) -> Counter[tuple[int, str | None]]:
    """The same call PER_PROCESS times at each process, all at once."""
    clients = [cluster.a, cluster.b] * PER_PROCESS
    answers = await asyncio.gather(*(call(http) for http in clients))
    return Counter((r.status_code, r.json().get("error")) for r in answers)


async def test_one_code_is_redeemed_once_across_two_processes(cluster: Cluster) -> None:
    app = await partner_app(cluster.factory)
    code, verifier = await obtain_code(cluster.a, app)
    outcomes = await _race(cluster, lambda http: redeem(http, app, code, verifier))
    assert outcomes == {(200, None): 1, (400, "invalid_grant"): 2 * PER_PROCESS - 1}, outcomes


async def test_one_refresh_token_is_used_once_across_two_processes(cluster: Cluster) -> None:
    app = await partner_app(cluster.factory)
    issued = await tokens(cluster.a, app)
    outcomes = await _race(
        cluster,
        lambda http: token_request(
            http, app, grant_type="refresh_token", refresh_token=issued["refresh_token"]
        ),
    )
    assert outcomes == {(200, None): 1, (400, "invalid_grant"): 2 * PER_PROCESS - 1}, outcomes


async def test_one_login_token_opens_one_session_across_two_processes(cluster: Cluster) -> None:
    world = await make_world(cluster.factory)
    token = await login_token(cluster.factory, world.admin, world.seller.id)  # signed by A
    outcomes = await _race(cluster, lambda http: start_session(http, token))
    assert outcomes == {(201, None): 1, (409, "login_token_used"): 2 * PER_PROCESS - 1}, outcomes


async def test_a_cancel_through_one_process_is_seen_by_the_other_on_its_next_call(
    cluster: Cluster,
) -> None:
    world = await make_world(cluster.factory)
    opened = await start_session(
        cluster.b, await login_token(cluster.factory, world.admin, world.seller.id)
    )
    assert opened.status_code == 201, opened.text
    session = opened.json()["session_token"]
    for http in (cluster.a, cluster.b):
        answer = await decide(http, session, "seller_center.orders", world.seller.id)
        assert (answer["allow"], answer["reason"]) == (True, "ok")

    cancel = await cluster.a.post(
        f"/v1/grants/{world.grant.id}/cancel", headers=await cluster.factory.headers(world.main)
    )
    assert cancel.status_code == 200, cancel.text

    answer = await decide(cluster.b, session, "seller_center.orders", world.seller.id)
    assert (answer["allow"], answer["reason"]) == (False, "grant_not_active")
    again = await login(cluster.factory, world.admin, world.seller.id)  # through A …
    refused = await cluster.b.post(  # … and through B
        "/v1/tsp-access/login",
        json={"seller_id": world.seller.id},
        headers=await cluster.factory.headers(world.admin),
    )
    for response in (again, refused):
        assert (response.status_code, response.json()["error"]) == (403, "grant_not_active")


def _kid(jwt: str) -> str:
    header = jwt.split(".")[0]
    kid: str = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]
    return kid


async def _jwks_kids(http: AsyncClient) -> set[str]:
    response = await http.get("/.well-known/jwks.json")
    assert response.status_code == 200
    return {key["kid"] for key in response.json()["keys"]}


async def test_a_key_rotation_by_the_cli_reaches_both_processes(cluster: Cluster) -> None:
    """Each process caches its key ring for 60 s; a token naming a kid it does not know makes
    it reload at once (at most every 5 s), so nobody waits a minute for the new key."""
    world = await make_world(cluster.factory)
    before = await login_token(cluster.factory, world.admin, world.seller.id)  # old key, by A
    old_kid = _kid(before)
    # Let the unknown-kid reload be allowed: both rings were loaded at start-up.
    started = max(server.started_at for server in cluster.servers)
    await asyncio.sleep(max(0.0, started + UNKNOWN_KID_REFRESH_SECONDS + 0.2 - time.monotonic()))

    rotate = await asyncio.create_subprocess_exec(
        str(BIN / "tsp-auth"),
        "keys",
        "rotate",
        env=cluster.env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(rotate.communicate(), 60)
    assert rotate.returncode == 0, err.decode()
    match = re.search(r"rotated: key (\S+) is published now", out.decode())
    assert match is not None, out.decode()
    new_kid = match.group(1)
    assert new_kid != old_kid

    # A process loading after the rotation (here: in-process) signs with the new key at once
    # (TSP_AUTH_KEY_PROPAGATION_DELAY=PT0S); both running processes verify it on first sight.
    for http in (cluster.b, cluster.a):
        fresh = await cluster.local.post(
            "/v1/tsp-access/login",
            json={"seller_id": world.seller.id},
            headers=await cluster.factory.headers(world.admin),
        )
        assert fresh.status_code == 200, fresh.text
        assert _kid(fresh.json()["login_token"]) == new_kid
        assert (await start_session(http, fresh.json()["login_token"])).status_code == 201

    # Now both publish it, A signs with it and B verifies; the old key still verifies.
    for http in (cluster.a, cluster.b):
        assert {old_kid, new_kid} <= await _jwks_kids(http)
    after = await login_token(cluster.factory, world.admin, world.seller.id)
    assert _kid(after) == new_kid
    assert (await start_session(cluster.b, after)).status_code == 201
    assert (await start_session(cluster.b, before)).status_code == 201
