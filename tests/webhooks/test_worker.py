"""`tsp-auth worker` and `tsp-auth sweep` as an operator runs them, and the worker loop."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from httpx import AsyncClient

from tests.factories import Factory
from tests.webhooks.helpers import OpsWorld, deliveries
from tests.webhooks.receiver import Receiver
from tsp_auth.grants.events import count_on_commit
from tsp_auth.observability.metrics import GRANT_TRANSITIONS
from tsp_auth.webhooks.delivery import http_client
from tsp_auth.worker.schedule import run_forever

TIMEOUT = 60


def _run(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tsp_auth", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def test_worker_once_and_sweep_commands(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TSP_AUTH_")}
    env["TSP_AUTH_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'worker.db'}"
    unmigrated = _run("worker", "--once", env=env, cwd=tmp_path)
    assert unmigrated.returncode == 1 and "database error" in unmigrated.stderr
    assert _run("migrate", env=env, cwd=tmp_path).returncode == 0
    swept = _run("sweep", env=env, cwd=tmp_path)
    assert swept.returncode == 0, swept.stderr
    assert swept.stdout.strip().endswith("sweep: 0 expired, 0 reminders")
    once = _run("worker", "--once", env=env, cwd=tmp_path)
    assert once.returncode == 0, once.stderr
    assert once.stdout.strip().endswith("deliveries: none due")


async def test_the_worker_loop_delivers_until_stopped(
    client: AsyncClient, factory: Factory, world: OpsWorld, receiver: Receiver
) -> None:
    response = await client.post(
        f"/v1/grants/{world.grant.id}/cancel", headers=await factory.headers(world.main)
    )
    assert response.status_code == 200
    stop = asyncio.Event()
    settings = factory.app.state.settings
    async with http_client(settings) as http:
        loop = asyncio.create_task(
            run_forever(
                factory.app.state.sessionmaker,
                settings,
                http,
                interval=0.01,
                sweep_every=0.01,
                stop=stop,
            )
        )
        for _ in range(500):
            if receiver.requests:
                break
            await asyncio.sleep(0.01)
        stop.set()
        await asyncio.wait_for(loop, timeout=5)
    assert len(receiver.requests) == 1
    assert [d.status for d in await deliveries(factory.app)] == ["delivered"]


async def test_transitions_are_counted_only_when_they_commit(factory: Factory) -> None:
    counter = GRANT_TRANSITIONS.labels("deactivated")
    before = counter._value.get()
    async with factory.app.state.sessionmaker() as session:
        count_on_commit(session, "deactivated")
        await session.rollback()
    assert counter._value.get() == before
    async with factory.app.state.sessionmaker() as session, session.begin():
        count_on_commit(session, "deactivated")
        async with session.begin_nested() as savepoint:
            await savepoint.rollback()  # a savepoint rolled back keeps the outer count
        count_on_commit(session, "deactivated")
    assert counter._value.get() == before + 2
