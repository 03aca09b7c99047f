"""`make run`'s data path: migrate and load the demo twice through the real CLI."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path


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
