"""Three ``tsp-auth serve`` processes, one PostgreSQL: decisions outside a console session
refuse on every process as soon as the call that ended or narrowed access has returned
(issue 21: Business Center changes, and partner-side decisions on data-only grants)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Limits
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.business_centers import helpers as bc
from tests.conftest import PG_URL, wire
from tests.decisions.partner_side_helpers import (
    DataOnly,
    app_decision,
    cancel,
    data_only,
    member_decision,
    unconsented,
)
from tests.factories import Factory
from tests.multiprocess.servers import serve_many, server_env
from tsp_auth.app import create_app
from tsp_auth.config import Settings
from tsp_auth.db import create_sessionmaker

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)

NAMES = ("a", "b", "c")
PULL = "spark_ads.pull_video"
AD = "ad_001"


@dataclass
class Three:
    http: dict[str, AsyncClient]
    factory: Factory  # rows committed by an in-process app; identity tokens from process A


@pytest.fixture(scope="module")
def three_servers(
    settings: Settings, emptied_after: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    assert PG_URL is not None
    env = server_env(PG_URL, settings.issuer)
    envs = {name: env for name in NAMES}
    with serve_many(envs, tmp_path_factory.mktemp("three")) as servers:
        yield {server.name: server.url for server in servers}


@pytest.fixture(scope="module")
async def three(
    three_servers: dict[str, str], settings: Settings, engine: AsyncEngine
) -> AsyncIterator[Three]:
    local: FastAPI = create_app(settings)
    wire(local, engine, create_sessionmaker(engine))
    fresh = Limits(max_keepalive_connections=0)
    clients = {
        name: AsyncClient(base_url=url, timeout=30, limits=fresh)
        for name, url in three_servers.items()
    }
    try:
        yield Three(clients, Factory(local, clients["a"]))
    finally:
        for client in clients.values():
            await client.aclose()


# Business Center: "pull video" after the admin takes the assignment back -------------------


async def _pull(http: AsyncClient, world: bc.BcWorld) -> bool:
    response = await http.post(
        f"/v1/business-centers/{world.bc.id}/decisions",
        json={"tiktok_account_id": world.owner.id, "action": PULL, "ad_account_id": AD},
        headers=world.member_h,
    )
    assert response.status_code == 200, response.text
    return bool(response.json()["allow"])


async def _bc_world(three: Three) -> tuple[bc.BcWorld, str]:
    """An approved account, the member assigned as operator with an operator ad role."""
    world = await bc.make_world(three.factory)
    http = three.http["a"]
    await bc.approve(http, world)
    assigned = await http.post(
        f"/v1/business-centers/{world.bc.id}/assignments",
        json={
            "member_id": world.member.id,
            "tiktok_account_id": world.owner.id,
            "permission": "operator",
        },
        headers=world.admin_h,
    )
    assert assigned.status_code == 201, assigned.text
    role = await http.post(
        f"/v1/business-centers/{world.bc.id}/ad-account-access",
        json={"member_id": world.member.id, "ad_account_id": AD, "role": "operator"},
        headers=world.admin_h,
    )
    assert role.status_code == 201, role.text
    return world, str(assigned.json()["id"])


async def test_pull_video_refuses_on_every_process_once_the_assignment_is_removed(
    three: Three,
) -> None:
    for writer in NAMES:
        world, assignment = await _bc_world(three)
        for name in NAMES:
            assert await _pull(three.http[name], world), name
        removed = await three.http[writer].delete(
            f"/v1/business-centers/{world.bc.id}/assignments/{assignment}",
            headers=world.admin_h,
        )
        assert removed.status_code == 204, removed.text
        for name in NAMES:
            assert not await _pull(three.http[name], world), (writer, name)


# Partner-side decisions on a data-only grant, after the seller cancels ---------------------


async def _allowed(three: Three, name: str, world: DataOnly) -> tuple[bool, bool]:
    http = three.http[name]
    member, app = await member_decision(http, world), await app_decision(http, world)
    return bool(member["allow"]), bool(app["allow"])


@pytest.mark.parametrize("market", ["US-CB", "JP"])
async def test_member_and_app_decisions_refuse_on_every_process_after_the_cancel(
    three: Three, market: str
) -> None:
    for writer in NAMES:
        world = await data_only(three.factory, three.http["a"], market)
        for name in NAMES:  # every process has the grant, the pair and the token cached
            assert await _allowed(three, name, world) == (True, True), name
            assert await _allowed(three, name, world) == (True, True), name
        await cancel(three.http[writer], world)
        for name in NAMES:
            assert await _allowed(three, name, world) == (False, False), (writer, name)


async def test_a_new_grant_and_a_new_assignment_are_seen_on_every_process(three: Three) -> None:
    """The cached "none" (no grant between the two, a member not assigned) never hides a
    consent or an assignment made since: both are announced (``pair:`` and ``asg:`` tags)."""
    factory = three.factory
    app = await unconsented(factory, "US-CB")
    admin = await factory.account("partner", "admin", partner_id=app.partner.id)
    admin_h = await factory.headers(admin)
    ask = {"action": "data_compass.live", "seller_id": app.seller.id}
    for name in NAMES:
        for _ in range(2):  # the second answer comes from the cache
            before = await three.http[name].post("/v1/partner-decisions", json=ask, headers=admin_h)
            assert before.json()["reason"] == "service_not_authorized", name
    world = await data_only(factory, three.http["b"], app=app, assign=False)
    for name in NAMES:
        after = await three.http[name].post("/v1/partner-decisions", json=ask, headers=admin_h)
        assert after.json()["allow"] is True, name
        refused = await member_decision(three.http[name], world)
        assert refused["reason"] == "not_assigned", name
    assigned = await three.http["c"].post(
        "/v1/assignments",
        json={"member_id": world.member.id, "seller_id": world.seller_id},
        headers=world.admin_h,
    )
    assert assigned.status_code == 201, assigned.text
    for name in NAMES:
        assert (await member_decision(three.http[name], world))["allow"] is True, name
