"""The real worker process against a real database and receiver: its log lines, its metrics
endpoint, and `tsp-auth serve --with-worker` as `make run` uses it."""

from __future__ import annotations

import json
import os
import re
import socket
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from prometheus_client.parser import text_string_to_metric_families

from tests.factories import Factory
from tests.webhooks.helpers import deliveries, make_ops_world
from tests.webhooks.process import Command
from tests.webhooks.receiver import Receiver
from tsp_auth.clock import now
from tsp_auth.models import RevokedToken
from tsp_auth.models.base import new_id

ROOT = Path(__file__).resolve().parents[2]


def _samples(url: str) -> dict[tuple[str, str], float]:
    """(metric sample name, its one label's value) -> value, from a Prometheus endpoint."""
    found = {}
    for family in text_string_to_metric_families(httpx.get(url, timeout=10).text):
        for sample in family.samples:
            found[(sample.name, ",".join(sample.labels.values()))] = sample.value
    return found


async def test_the_worker_logs_its_passes_and_serves_its_counters(
    committed_app: FastAPI, committed_client: AsyncClient, receiver: Receiver, tmp_path: Path
) -> None:
    factory = Factory(committed_app, committed_client)
    world = await make_ops_world(factory, receiver.url)
    # Another seller's grant: the cancel below ends every grant of world.seller's binding.
    other_seller, _ = await factory.seller("UK")
    lapsed = await factory.grant(other_seller, world.service, expires_at=now() - timedelta(hours=1))
    response = await committed_client.post(
        f"/v1/grants/{world.grant.id}/cancel", headers=await factory.headers(world.main)
    )
    assert response.status_code == 200
    old = now() - committed_app.state.settings.cleanup_token_grace - timedelta(hours=1)
    async with committed_app.state.sessionmaker() as session, session.begin():
        session.add(RevokedToken(jti=new_id("jti"), expires_at=old, revoked_at=old))
    worker = Command(
        "worker", "--interval", "0.2", "--sweep-every", "0.5", "--metrics-port", "0",
        database_url=committed_app.state.settings.database_url, cwd=tmp_path,
    )  # fmt: skip
    try:
        started = worker.line("worker started")
        # The cancellation, then the expiry the worker's sweep stored: two webhooks.
        worker.wait_for(lambda: len(receiver.requests) == 2)
        worker.wait_for(lambda: sum(p["delivered"] for p in worker.messages("worker pass")) == 2)
        metrics = _samples(started["metrics_url"])
        worker.terminate()
        assert worker.finish() == 0
    finally:
        worker.kill()

    assert started["database"] in ("sqlite", "postgresql")
    assert "@" not in str(started) and "postgres://" not in str(started)  # no credentials
    assert metrics[("tsp_auth_webhook_deliveries_total", "delivered")] == 2
    assert metrics[("tsp_auth_grant_transitions_total", "expired")] == 1
    assert metrics[("tsp_auth_cleanup_rows_deleted_total", "revoked_tokens")] == 1
    assert metrics[("tsp_auth_cleanup_rows_deleted_total", "webhook_deliveries")] == 0
    passes = worker.messages("worker pass")
    assert sum(p["expired"] for p in passes) == 1
    # The first pass cleaned up (due at start); the next ones, within the hour, did not.
    assert passes[0]["cleaned"] == passes[0]["cleaned_by_table"]["revoked_tokens"] == 1
    assert all("cleaned_by_table" not in p for p in passes[1:])
    stopped = worker.line("worker stopped")
    assert (stopped["delivered"], stopped["expired"], stopped["cleaned"]) == (2, 1, 1)
    assert stopped["passes"] == len(passes)
    assert {x["logger"] for x in worker.lines} == {"tsp_auth.worker"}
    assert [d.status for d in await deliveries(committed_app)] == ["delivered", "delivered"]
    sent = sorted(
        (json.loads(r.body)["type"], json.loads(r.body)["data"]["grant_id"])
        for r in receiver.requests
    )
    assert sent == [("grant.cancelled", world.grant.id), ("grant.expired", lapsed.id)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("stop", ["ctrl_c", "terminate"])
def test_serve_with_worker_runs_one_and_stops_it(stop: str, tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'run.db'}"
    assert Command("migrate", database_url=database_url, cwd=tmp_path).finish() == 0
    port = _free_port()
    serve = Command(
        "serve", "--port", str(port), "--with-worker", "--worker-metrics-port", "0",
        database_url=database_url, cwd=tmp_path,
    )  # fmt: skip
    try:
        started = serve.line("worker started")
        serve.line(f"Uvicorn running on http://127.0.0.1:{port} (Press CTRL+C to quit)")
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).status_code == 200
        assert httpx.get(started["metrics_url"], timeout=10).status_code == 200
        getattr(serve, stop)()
        assert serve.finish() == 0
    finally:
        serve.kill()
    output = "".join(serve.text)
    assert serve.messages("worker stopped"), output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output
    with pytest.raises(ProcessLookupError):  # the worker did not outlive the server
        os.kill(int(started["pid"]), 0)


def test_make_run_starts_the_worker_beside_the_server() -> None:
    recipe = re.search(r"^run:.*?\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M)
    assert recipe is not None
    serve = re.sub(r"\\\n\s*", " ", recipe.group(1))
    assert re.search(r"tsp-auth serve --port \$\(PORT\) +--with-worker ", serve), serve
    assert "--worker-metrics-port $(WORKER_METRICS_PORT)" in serve
