"""The quickstart works as printed, on SQLite and PostgreSQL: every demo id is named, the
first-party client's secret works, and a second run on another base URL (`make run` with
another PORT) keeps every printed link working."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from tests.conftest import PG_URL
from tsp_auth.config import Settings
from tsp_auth.demo.load import load_demo
from tsp_auth.demo.partner_apps import FIRST_PARTY_ID, demo_secret
from tsp_auth.models import Account, BusinessCenter, Client, Partner, Seller, Service

FIRST = "http://127.0.0.1:8000"
SECOND = "http://127.0.0.1:8001"


async def _rows(app: FastAPI, model: type[Any]) -> list[Any]:
    async with app.state.sessionmaker() as session:
        return list(await session.scalars(select(model)))


def _local(url: str) -> str:
    """The path and query of a printed link, to follow it through the ASGI client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def test_demo_json_names_every_demo_id(
    settings: Settings, committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    quickstart = await load_demo(settings, base_url=FIRST)

    accounts = {a.id for a in await _rows(committed_app, Account)}
    assert accounts and set(quickstart["accounts"].values()) == accounts
    for key, model in (
        ("partners", Partner),
        ("sellers", Seller),
        ("business_centers", BusinessCenter),
    ):
        assert set(quickstart[key]) == {r.id for r in await _rows(committed_app, model)}, key
    services = {s.id for s in await _rows(committed_app, Service) if s.id.startswith("svc_")}
    assert set(quickstart["services"]) == services


async def test_the_first_party_client_works_and_its_secret_is_only_in_the_file(
    settings: Settings, committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    quickstart = await load_demo(settings, base_url=FIRST)
    shown = quickstart["first_party_client"]
    client_id, secret = shown["client_id"], shown["client_secret"]
    (row,) = [c for c in await _rows(committed_app, Client) if c.id == client_id]
    assert row.client_type == "first_party"
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest() != secret
    assert secret not in quickstart["text"]  # printed text: no secrets

    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    token = await committed_client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": "tsp.introspect"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert token.status_code == 200, token.text
    assert token.json()["scope"] == "tsp.introspect"
    wrong = base64.b64encode(f"{client_id}:not-the-secret".encode()).decode()
    refused = await committed_client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {wrong}"},
    )
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")


async def test_a_second_run_on_another_port_keeps_every_printed_link_working(
    settings: Settings, committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    first = await load_demo(settings, base_url=FIRST)
    second = await load_demo(settings, base_url=SECOND)
    rerun = await load_demo(settings, base_url=SECOND)

    assert "0 rows added" in second["text"] and "0 moved" not in second["text"]
    assert "0 rows added, 0 moved" in rerun["text"]  # idempotent
    for quickstart in (first, second):
        opened = await committed_client.get(_local(quickstart["app_authorization_link"]))
        assert opened.status_code == 303, opened.text
        assert opened.headers["location"].startswith("/consent/azr_")
    apps = [c for c in await _rows(committed_app, Client) if c.id.startswith("cli_demo_tap")]
    for app in apps:
        # The newest run's callback first: the API's links use the first registered URI.
        assert app.redirect_uris == [
            f"{SECOND}/demo/partner-callback",
            f"{FIRST}/demo/partner-callback",
        ]
    services = [s for s in await _rows(committed_app, Service) if s.id in second["services"]]
    assert {s.return_url for s in services} == {f"{SECOND}/demo/partner-callback"}


def test_demo_against_another_database_leaves_the_quickstart_file_alone(
    settings: Settings, committed_app: FastAPI, tmp_path: Path
) -> None:
    """Run from a folder holding a quickstart's ``var/demo.json``: it is never overwritten."""
    quickstart_file = tmp_path / "var" / "demo.json"
    quickstart_file.parent.mkdir()
    quickstart_file.write_text("{}\n")
    env = {**os.environ, "TSP_AUTH_DATABASE_URL": settings.database_url}
    done = subprocess.run(
        [sys.executable, "-m", "tsp_auth", "demo", "--base-url", FIRST],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert quickstart_file.read_text() == "{}\n"
    path = settings.sqlite_path()
    if path is None:  # PostgreSQL: no folder of its own, nothing written unless --output
        assert settings.database_url == PG_URL
        assert "quickstart file not written" in done.stdout
        assert list(tmp_path.rglob("*.json")) == [quickstart_file]
    else:
        beside = path.with_name(f"{path.stem}.demo.json")
        assert f"(quickstart file, with the demo secrets: {beside})" in done.stdout
        assert '"first_party_client"' in beside.read_text()
        assert beside.stat().st_mode & 0o077 == 0  # it holds secrets: owner only
    for client_id in (FIRST_PARTY_ID, "cli_demo_tap_dev", "cli_demo_tap_live"):
        assert demo_secret(client_id) not in done.stdout
