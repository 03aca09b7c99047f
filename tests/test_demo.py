"""`make run`'s data path: migrate and load the demo twice through the real CLI."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tsp_auth", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_demo_loads_every_market_row_and_runs_twice(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    env = {**os.environ, "TSP_AUTH_DATABASE_URL": f"sqlite+aiosqlite:///{db}"}
    output = tmp_path / "demo.json"
    assert _cli("migrate", env=env).returncode == 0
    first = _cli("demo", "--output", str(output), env=env)
    second = _cli("demo", "--output", str(output), env=env)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "(0 rows added" in second.stdout
    quickstart = json.loads(output.read_text())
    assert quickstart["accounts"]["seller_main_UK"] == "acc_demo_main_uk"
    assert "/open/authorize?service_id=" in quickstart["consent_link"]
    with sqlite3.connect(db) as conn:
        markets = {m for (m,) in conn.execute("select market from sellers")}
        visibilities = [v for (v,) in conn.execute("select visibility from services")]
        partners = {r for (r,) in conn.execute("select region from partners")}
    assert markets == {"US-L2L", "US-CB", "UK", "DE", "ID", "JP"}
    assert visibilities.count("custom") == 1
    assert visibilities.count("public") >= 3
    assert partners == {"US", "ROW"}
    _check_partner_apps(db, quickstart)
    _check_business_center(db, quickstart)


def _check_partner_apps(db: Path, quickstart: dict[str, Any]) -> None:
    """seed 004: a TAP partner with a development and a live app whose demo secrets work."""
    with sqlite3.connect(db) as conn:
        (categories,) = conn.execute(
            "select categories from partners where id = 'ptn_demo_tap'"
        ).fetchone()
        (role,) = conn.execute(
            "select role from accounts where id = 'acc_demo_admin_tap'"
        ).fetchone()
        apps = dict(
            conn.execute(
                "select id, status from clients where partner_id = 'ptn_demo_tap' order by id"
            ).fetchall()
        )
        hashes = dict(conn.execute("select id, secret_hash from clients").fetchall())
    assert "tap" in categories and role == "admin"
    assert apps == {"cli_demo_tap_dev": "development", "cli_demo_tap_live": "live"}
    assert quickstart["accounts"]["partner_admin_tap"] == "acc_demo_admin_tap"
    shown = {a["client_id"]: a for a in quickstart["partner_apps"]}
    assert set(shown) == set(apps)
    for client_id, app in shown.items():
        assert hashlib.sha256(app["client_secret"].encode()).hexdigest() == hashes[client_id]
        assert app["redirect_uri"].endswith("/demo/partner-callback")
    assert "service_id=app_demo_tap_live" in quickstart["app_authorization_link"]


def _check_business_center(db: Path, quickstart: dict[str, Any]) -> None:
    """seed 003: a business center with an admin and a standard member, and a TikTok owner."""
    with sqlite3.connect(db) as conn:
        (name,) = conn.execute("select name from business_centers where id = 'bc_demo'").fetchone()
        accounts = {
            row[0]: row[1:]
            for row in conn.execute(
                "select id, kind, role, business_center_id from accounts"
                " where id in ('acc_demo_bc_admin', 'acc_demo_bc_member', 'acc_demo_tiktok_owner')"
            )
        }
        # Migration 0008 added a column to `accounts` without copying the table: the partial
        # unique index of seed 000 (one main account per seller) is still partial.
        (index_sql,) = conn.execute(
            "select sql from sqlite_master where name = 'uq_accounts_one_main_per_seller'"
        ).fetchone()
    assert name == "Demo Business Center"
    assert accounts == {
        "acc_demo_bc_admin": ("business_center", "admin", "bc_demo"),
        "acc_demo_bc_member": ("business_center", "member", "bc_demo"),
        "acc_demo_tiktok_owner": ("tiktok", "owner", None),
    }
    assert "WHERE" in index_sql.upper()
    assert quickstart["accounts"]["bc_admin"] == "acc_demo_bc_admin"
    assert quickstart["accounts"]["tiktok_owner"] == "acc_demo_tiktok_owner"
    assert "/v1/business-centers/bc_demo/access-requests" in quickstart["text"]
