"""Concurrent edits of one grant, with real commits and one connection per request."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from httpx import AsyncClient

from tests.factories import Factory
from tests.grants.helpers import make_world, stored
from tsp_auth.audit.service import SYSTEM
from tsp_auth.clock import now
from tsp_auth.grants.engine import EditSelection, reduce_access
from tsp_auth.policy import Selection

ROLE_SETS = (["products"], ["orders"], ["marketing"], ["products", "orders"])


async def test_concurrent_edits_never_lose_an_update(
    committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    """PostgreSQL: edits that read the same version race on one conditional UPDATE and the
    losers get 409 grant_changed. SQLite: writers queue (BEGIN IMMEDIATE), so each edit reads
    the previous one's result. Either way every success is exactly one version step."""
    factory = Factory(committed_app, committed_client)
    world = await make_world(factory)
    headers = await factory.headers(world.main)
    responses = await asyncio.gather(
        *(
            committed_client.patch(
                f"/v1/grants/{world.grant.id}", json={"roles": roles}, headers=headers
            )
            for roles in ROLE_SETS
        )
    )
    won = [r for r in responses if r.status_code == 200]
    lost = [r for r in responses if r.status_code != 200]
    assert won, [r.text for r in responses]
    assert all((r.status_code, r.json()["error"]) == (409, "grant_changed") for r in lost)
    assert sorted(r.json()["version"] for r in won) == list(range(2, 2 + len(won)))
    final = await stored(factory, world.grant.id)
    assert final.version == 1 + len(won)
    last = max(won, key=lambda r: r.json()["version"]).json()
    assert sorted(final.roles) == last["roles"]


async def test_an_update_from_a_stale_read_matches_no_row(
    committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    """The engine's check itself: two edits based on version 1, one after the other; the
    second changes nothing and reports no grant."""
    factory = Factory(committed_app, committed_client)
    world = await make_world(factory)
    edit = Selection(
        items=world.grant.items,
        roles=frozenset({"orders"}),
        areas=world.grant.areas,
        authorized_object=None,
        duration_days=90,
    )
    results = []
    for _ in range(2):
        async with committed_app.state.sessionmaker() as session, session.begin():
            change = EditSelection(world.grant.id, 1, edit)
            results.append(await reduce_access(session, change, actor=SYSTEM, at=now()))
    assert results == [[world.grant.id], []]
    assert (await stored(factory, world.grant.id)).version == 2


async def test_two_cancels_at_once_end_the_binding_once(
    committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    factory = Factory(committed_app, committed_client)
    world = await make_world(factory)
    headers = await factory.headers(world.main)
    responses = await asyncio.gather(
        *(
            committed_client.post(f"/v1/grants/{world.grant.id}/cancel", headers=headers)
            for _ in range(2)
        )
    )
    assert sorted(r.status_code for r in responses) == [200, 409]
    assert {r.json().get("error") for r in responses if r.status_code == 409} == {
        "grant_not_active"
    }
    saved = await stored(factory, world.grant.id)
    assert (saved.status, saved.version) == ("cancelled", 2)
