"""Decisions through the real engine: on PostgreSQL their read and their one write run as
direct statements on the driver (db.direct), so this is where that path is exercised."""

from __future__ import annotations

from fastapi import FastAPI
from httpx import AsyncClient

from tests.factories import Factory
from tests.tsp_access.helpers import audit_events, decide, make_world, session_token


async def test_decisions_and_their_creator_im_audit_commit_outside_a_transaction(
    committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    factory = Factory(committed_app, committed_client)
    world = await make_world(factory)
    token = await session_token(factory, world.admin, world.seller.id)

    orders = await decide(committed_client, token, "seller_center.orders", world.seller.id)
    sends = await decide(committed_client, token, "creator_im.send", world.seller.id)
    assert (orders["allow"], sends["allow"]) == (True, True)
    assert sends["acting_as"] == world.seller.id
    events = await audit_events(factory, "creator_im.authorized")
    assert [(e.actor_id, e.on_behalf_of) for e in events] == [(world.admin.id, world.seller.id)]

    cancelled = await committed_client.post(
        f"/v1/grants/{world.grant.id}/cancel", headers=await factory.headers(world.main)
    )
    assert cancelled.status_code == 200, cancelled.text
    after = await decide(committed_client, token, "seller_center.orders", world.seller.id)
    assert (after["allow"], after["reason"]) == (False, "grant_not_active")
