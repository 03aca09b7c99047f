"""SQLite: a database locked longer than the app may wait, or one it cannot open → 503."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from tests.factories import Factory
from tests.faults.conftest import MakeApp, assert_unavailable
from tsp_auth.config import Settings

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

TIMEOUT = 0.5


async def test_a_locked_database_is_503_then_the_next_request_succeeds(
    make_app: MakeApp, settings: Settings
) -> None:
    app, http = await make_app(database_timeout_seconds=TIMEOUT)
    client, secret = await Factory(app, http).oauth_client(client_type="first_party")
    assert secret is not None
    form = {"grant_type": "client_credentials"}
    assert (await http.post("/oauth/token", data=form, auth=(client.id, secret))).status_code == 200

    path = settings.sqlite_path()
    assert path is not None
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # the write lock every transaction of ours needs
        started = time.monotonic()
        locked = await http.post("/oauth/token", data=form, auth=(client.id, secret))
        waited = time.monotonic() - started
        health = await http.get("/health")
    finally:
        holder.rollback()
        holder.close()

    assert_unavailable(locked)
    # The busy timeout is the app's own setting, not a hard-coded longer one.
    assert TIMEOUT * 0.8 <= waited < TIMEOUT + 2, waited
    assert health.status_code == 200
    after = await http.post("/oauth/token", data=form, auth=(client.id, secret))
    assert after.status_code == 200, after.text


@pytest.mark.parametrize("kind", ["directory", "not_a_database"])
async def test_an_unopenable_database_is_503_on_session_and_direct_routes(
    make_app: MakeApp, tmp_path: Path, kind: str
) -> None:
    """A path SQLite cannot open (a directory), or a file that is not a database: 503 with
    Retry-After on a route of the request's session and on one of direct statements."""
    path = tmp_path / "db"
    if kind == "directory":
        path.mkdir()
    else:
        path.write_bytes(b"this is not an SQLite database file, only text" * 100)
    _, http = await make_app(database_url=f"sqlite+aiosqlite:///{path}")
    session_route = await http.post("/dev/identity-tokens", json={"account_id": "acc_x"})
    body = {"token": "no-such-session", "action": "seller_center.orders", "shop_id": "slr_x"}
    direct_route = await http.post("/v1/decisions", json=body)
    for response in (session_route, direct_route):
        assert_unavailable(response)
    assert (await http.get("/health")).status_code == 200
