"""In-process CPU per request of ``POST /v1/tsp-access/login`` alone, the median of batches
(docs/performance.md, "Session 5: the TSP Access login below its route").

``python -m bench.login [--database NAME]`` builds the world of ``bench.writes`` on a fresh
PostgreSQL database and drives only the login, in batches taking turns between one request
at a time and 50 in flight, and prints the median and range of each. The logins take turns
among ``--accounts`` admin accounts of the partner, so that reads coalesced across concurrent
requests (the caller's account) are not flattered by one identity. ``bench.writes`` runs
every write path once, so its login row moves with whatever else the machine does; batches
of the one path, their median, compare two trees better (``PYTHONPATH=<tree>/src``, minutes
apart).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics

from httpx import ASGITransport, AsyncClient
from tests.factories import Factory
from tests.tsp_access.helpers import make_world

from bench.writes import _fresh, asgi, cpu_per_call
from tsp_auth.app import create_app
from tsp_auth.config import Settings
from tsp_auth.db.migrations import upgrade_head


async def main(database: str, batches: int, per_batch: int, accounts: int) -> None:
    url = _fresh(database)
    await asyncio.to_thread(upgrade_head, url)
    app = create_app(Settings(database_url=url, log_level="WARNING"))
    async with app.router.lifespan_context(app):
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://bench") as http:
            factory = Factory(app, http)
            world = await make_world(factory)
            admins = [world.admin] + [
                await factory.account("partner", "admin", partner_id=world.partner.id)
                for _ in range(accounts - 1)
            ]
            identities = [(await factory.headers(admin))["Authorization"] for admin in admins]
        json_type = (b"content-type", b"application/json")
        headers = itertools.cycle([[json_type, (b"authorization", i.encode())] for i in identities])
        body = json.dumps({"seller_id": world.seller.id}).encode()

        async def login() -> None:
            status = await asgi(app, "POST", "/v1/tsp-access/login", next(headers), body)
            assert status == 200, status

        alone: list[float] = []
        loaded: list[float] = []
        for _ in range(batches):
            alone.append(await cpu_per_call(login, total=per_batch // 4, in_flight=1))
            loaded.append(await cpu_per_call(login, total=per_batch, in_flight=50))
    for name, figures in (("1 in flight", alone), ("50 in flight", loaded)):
        print(
            f"login, {name}: median {statistics.median(figures):,.0f} µs "
            f"({min(figures):,.0f} to {max(figures):,.0f}, {batches} batches)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="tsp_auth_bench_login")
    parser.add_argument("--batches", type=int, default=7)
    parser.add_argument("--requests", type=int, default=1000, help="per batch at 50 in flight")
    parser.add_argument("--accounts", type=int, default=100, help="distinct callers, in turn")
    args = parser.parse_args()
    asyncio.run(main(args.database, args.batches, args.requests, args.accounts))
