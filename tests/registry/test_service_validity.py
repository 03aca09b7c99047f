"""Who sets a service valid (policy.validity): the platform's invalidation wins over the partner.

Seed 002: the platform deactivates. A partner admin sets only its own flag; an operator only the
platform's; the service is valid when both allow it (seed 000: consent needs a "currently
valid" service).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient, Response
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.consent.helpers import decision, open_link, pick
from tests.factories import Factory
from tsp_auth.models import AuditEvent, Grant, Service


@dataclass
class World:
    factory: Factory
    service: Service
    grant: Grant
    admin: dict[str, str]
    operator: dict[str, str]
    seller_main: dict[str, str]


async def _world(factory: Factory) -> World:
    partner = await factory.partner()
    service = await factory.service(partner)
    seller, main = await factory.seller("UK")
    grant = await factory.grant(seller, service)
    admin = await factory.account("partner", "admin", partner_id=partner.id)
    return World(
        factory,
        service,
        grant,
        await factory.headers(admin),
        await factory.headers(await factory.operator()),
        await factory.headers(main),
    )


async def _patch(w: World, headers: dict[str, str], **body: Any) -> Response:
    return await w.factory.client.patch(f"/v1/services/{w.service.id}", json=body, headers=headers)


def _flags(response: Response) -> tuple[bool, bool, bool]:
    assert response.status_code == 200, response.text
    body = response.json()
    return body["valid"], body["partner_valid"], body["platform_invalidated"]


async def _row(w: World) -> tuple[str, bool, bool, bool]:
    async with w.factory.app.state.sessionmaker() as session:
        row = (
            await session.execute(
                select(
                    Service.name, Service.valid, Service.partner_valid, Service.platform_invalidated
                ).where(Service.id == w.service.id)
            )
        ).one()
    return row.name, row.valid, row.partner_valid, row.platform_invalidated


async def _grant_status(w: World) -> str:
    async with w.factory.app.state.sessionmaker() as session:
        return str(await session.scalar(select(Grant.status).where(Grant.id == w.grant.id)))


async def _consent_possible(w: World) -> bool:
    """A link can be made and followed: or both are refused as ``service_not_valid``."""
    client = w.factory.client
    link = await client.post(
        "/v1/authorization-links", json={"service_id": w.service.id}, headers=w.admin
    )
    opened = await client.get("/open/authorize", params={"service_id": w.service.id})
    if link.status_code == 200 and opened.status_code == 303:
        return True
    assert (link.status_code, link.json()["error"]) == (400, "service_not_valid"), link.text
    # The browser's link shows an error page naming the same reason code.
    assert opened.status_code == 400
    assert '<code id="error">service_not_valid</code>' in opened.text
    return False


async def test_a_partner_may_not_undo_the_platforms_invalidation(factory: Factory) -> None:
    w = await _world(factory)
    request_id = await open_link(factory.client, w.service.id)  # opened while still valid
    assert _flags(await _patch(w, w.operator, valid=False)) == (False, True, True)
    assert await _grant_status(w) == "deactivated"
    before = await _row(w)

    refused = await _patch(w, w.admin, valid=True, name="Back again")

    assert refused.status_code == 403, refused.text
    body = refused.json()
    assert body["error"] == "service_invalidated_by_platform"
    assert "platform" in body["detail"]
    assert await _row(w) == before  # neither the flag nor the name of the same request
    assert await _grant_status(w) == "deactivated"
    assert not await _consent_possible(w)
    accept = await factory.client.post(
        f"/v1/authorization-requests/{request_id}/accept",
        json=decision(pick(w.service)),
        headers=w.seller_main,
    )
    assert (accept.status_code, accept.json()["error"]) == (400, "service_not_valid")
    async with factory.app.state.sessionmaker() as session:
        query = select(AuditEvent).where(AuditEvent.action == "service.updated")
        denial = (await session.scalars(query)).one()
    assert (denial.outcome, denial.reason) == ("denied", "service_invalidated_by_platform")
    assert denial.detail == {"service_id": w.service.id, "valid": True}


async def test_the_operator_restores_what_the_platform_invalidated(factory: Factory) -> None:
    w = await _world(factory)
    assert _flags(await _patch(w, w.operator, valid=False)) == (False, True, True)
    assert _flags(await _patch(w, w.operator, valid=True)) == (True, True, False)
    assert await _row(w) == (w.service.name, True, True, False)
    assert await _consent_possible(w)
    # Restoring the service does not bring its deactivated grants back: the seller re-consents.
    assert await _grant_status(w) == "deactivated"


async def test_the_partner_switches_its_own_flag_off_and_on(factory: Factory) -> None:
    w = await _world(factory)
    assert _flags(await _patch(w, w.admin, valid=False)) == (False, False, False)
    assert await _grant_status(w) == "deactivated"
    assert not await _consent_possible(w)
    assert _flags(await _patch(w, w.admin, valid=True)) == (True, True, False)
    assert await _consent_possible(w)


async def test_each_side_keeps_its_own_flag(factory: Factory) -> None:
    """The partner may still switch its own flag off while the platform's is set; clearing the
    platform's flag then leaves the service off until the partner switches it back on."""
    w = await _world(factory)
    assert _flags(await _patch(w, w.operator, valid=False)) == (False, True, True)
    assert _flags(await _patch(w, w.admin, valid=False)) == (False, False, True)
    assert _flags(await _patch(w, w.operator, valid=True)) == (False, False, False)
    assert not await _consent_possible(w)
    assert _flags(await _patch(w, w.admin, valid=True)) == (True, True, False)
    assert await _consent_possible(w)


async def test_a_partner_member_sets_neither_flag(factory: Factory) -> None:
    w = await _world(factory)
    member = await factory.account("partner", "member", partner_id=w.service.partner_id)
    before = await _row(w)
    refused = await _patch(w, await factory.headers(member), valid=False)
    assert (refused.status_code, refused.json()["error"]) == (403, "partner_admin_required")
    assert await _row(w) == before
    assert await _grant_status(w) == "active"


async def _wait_until_blocked(engine: AsyncEngine, backend: str) -> None:
    """Until the app's request waits for the holder's lock (PostgreSQL shows it; SQLite's
    writers queue at ``BEGIN IMMEDIATE``, which no view shows: give the request a moment)."""
    if backend == "sqlite":
        await asyncio.sleep(0.5)
        return
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND application_name = 'tsp-auth' AND wait_event_type = 'Lock'"
    )
    # A deadline, not a count: on a busy machine the request may take seconds to reach the lock.
    deadline = asyncio.get_running_loop().time() + 30
    async with engine.connect() as watcher:
        while asyncio.get_running_loop().time() < deadline:
            if await watcher.scalar(query):
                return
            await asyncio.sleep(0.02)
    raise AssertionError("the operator's request never waited for the row lock")


async def test_concurrent_changes_apply_one_after_the_other(
    committed_app: FastAPI, committed_client: AsyncClient, engine: AsyncEngine, backend: str
) -> None:
    """The partner switches its flag back on while an operator invalidates the service: the
    operator's change applies to the partner's result (the row is locked), so the platform's
    invalidation holds; read before the lock, it would leave ``valid`` true."""
    factory = Factory(committed_app, committed_client)
    partner = await factory.partner()
    service = await factory.service(partner, valid=False)  # the partner's own flag is off
    operator = await factory.headers(await factory.operator())
    async with engine.connect() as holder:
        await holder.begin()
        # The partner's reactivation, in flight: written, not yet committed.
        await holder.execute(
            update(Service).where(Service.id == service.id).values(partner_valid=True, valid=True)
        )
        invalidating = asyncio.create_task(
            committed_client.patch(
                f"/v1/services/{service.id}", json={"valid": False}, headers=operator
            )
        )
        await _wait_until_blocked(engine, backend)
        await holder.commit()
    response = await invalidating
    assert response.status_code == 200, response.text
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                select(Service.valid, Service.partner_valid, Service.platform_invalidated).where(
                    Service.id == service.id
                )
            )
        ).one()
    assert tuple(row) == (False, True, True)
