"""SQLite: a database another connection holds locked longer than the app may wait → 503."""

from __future__ import annotations

import sqlite3
import time

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
