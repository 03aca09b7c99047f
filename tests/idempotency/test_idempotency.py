"""`Idempotency-Key` on creating POSTs: one creation per key and body, held by the database."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select, update

from tests.factories import Factory
from tsp_auth.clock import now
from tsp_auth.models import IdempotencyKey, Partner, Service, WebhookEndpoint


def _service_body(partner: Partner, name: str = "Fulfilment") -> dict[str, object]:
    return {
        "partner_id": partner.id,
        "name": name,
        "markets": ["UK"],
        "qualified_items": ["seller_center_access"],
    }


async def _count(app: FastAPI, model: type[object], *where: object) -> int:
    async with app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)))


async def test_the_same_key_and_body_replay_the_first_link(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    service = await factory.service(partner)
    admin = await factory.headers(await factory.account("partner", "admin", partner_id=partner.id))
    keyed = {**admin, "Idempotency-Key": "link-1"}

    first = await client.post(
        "/v1/authorization-links", json={"service_id": service.id}, headers=keyed
    )
    again = await client.post(
        "/v1/authorization-links", json={"service_id": service.id}, headers=keyed
    )
    unkeyed = await client.post(
        "/v1/authorization-links", json={"service_id": service.id}, headers=admin
    )

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()  # one link: the random state is the first one's
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert unkeyed.json()["state"] != first.json()["state"]


async def test_a_replayed_create_writes_nothing_more(client: AsyncClient, factory: Factory) -> None:
    operator = await factory.headers(await factory.operator())
    partner = await factory.partner()
    keyed = {**operator, "Idempotency-Key": "svc-1"}

    first = await client.post("/v1/services", json=_service_body(partner), headers=keyed)
    again = await client.post("/v1/services", json=_service_body(partner), headers=keyed)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert await _count(factory.app, Service, Service.partner_id == partner.id) == 1


async def test_the_same_key_with_another_body_is_refused(
    client: AsyncClient, factory: Factory
) -> None:
    operator = await factory.headers(await factory.operator())
    partner = await factory.partner()
    keyed = {**operator, "Idempotency-Key": "svc-2"}
    await client.post("/v1/services", json=_service_body(partner), headers=keyed)

    other = await client.post("/v1/services", json=_service_body(partner, "Other"), headers=keyed)

    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["error"] == "idempotency_key_reused"
    assert await _count(factory.app, Service, Service.partner_id == partner.id) == 1


async def test_a_json_body_is_compared_by_value_not_by_spelling(
    client: AsyncClient, factory: Factory
) -> None:
    operator = await factory.headers(await factory.operator())
    partner = await factory.partner()
    keyed = {**operator, "Idempotency-Key": "svc-3", "content-type": "application/json"}
    body = _service_body(partner)

    spaced = json.dumps(body, indent=2)
    reordered = json.dumps(dict(reversed(list(body.items()))))

    first = await client.post("/v1/services", content=spaced, headers=keyed)
    again = await client.post("/v1/services", content=reordered, headers=keyed)

    assert again.status_code == 201 and again.json() == first.json()


async def test_keys_are_scoped_to_the_caller(client: AsyncClient, factory: Factory) -> None:
    partner = await factory.partner()
    service = await factory.service(partner)
    one = await factory.headers(await factory.account("partner", "admin", partner_id=partner.id))
    two = await factory.headers(await factory.account("partner", "member", partner_id=partner.id))
    body = {"service_id": service.id}

    mine = await client.post(
        "/v1/authorization-links", json=body, headers={**one, "Idempotency-Key": "k"}
    )
    theirs = await client.post(
        "/v1/authorization-links", json=body, headers={**two, "Idempotency-Key": "k"}
    )

    assert theirs.status_code == 200 and "idempotent-replayed" not in theirs.headers
    assert theirs.json()["state"] != mine.json()["state"]


async def test_a_key_is_kept_24_hours(client: AsyncClient, factory: Factory) -> None:
    operator = await factory.headers(await factory.operator())
    partner = await factory.partner()
    keyed = {**operator, "Idempotency-Key": "svc-4"}
    await client.post("/v1/services", json=_service_body(partner), headers=keyed)
    async with factory.app.state.sessionmaker() as session:
        await session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.key == "svc-4")
            .values(created_at=now() - timedelta(hours=24, seconds=1))
        )
        await session.commit()

    later = await client.post("/v1/services", json=_service_body(partner), headers=keyed)

    assert later.status_code == 201 and "idempotent-replayed" not in later.headers
    assert await _count(factory.app, Service, Service.partner_id == partner.id) == 2


async def test_a_malformed_key_is_a_400_and_nothing_is_written(
    client: AsyncClient, factory: Factory
) -> None:
    operator = await factory.headers(await factory.operator())
    partner = await factory.partner()

    for bad in ("", "x" * 256, "with space"):
        response = await client.post(
            "/v1/services",
            json=_service_body(partner),
            headers={**operator, "Idempotency-Key": bad},
        )
        assert (response.status_code, response.json()["error"]) == (400, "invalid_idempotency_key")
    assert await _count(factory.app, Service, Service.partner_id == partner.id) == 0
    assert await _count(factory.app, IdempotencyKey) == 0


async def test_a_kept_answer_holding_a_secret_is_stored_encrypted(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    admin = await factory.headers(await factory.account("partner", "admin", partner_id=partner.id))
    keyed = {**admin, "Idempotency-Key": "hook-1"}
    body = {"url": "https://hooks.example.com/in", "events": ["grant.cancelled"]}

    first = await client.post("/v1/webhooks", json=body, headers=keyed)
    again = await client.post("/v1/webhooks", json=body, headers=keyed)

    assert first.status_code == again.status_code == 201
    assert again.json()["secret"] == first.json()["secret"]
    assert await _count(factory.app, WebhookEndpoint, WebhookEndpoint.partner_id == partner.id) == 1
    async with factory.app.state.sessionmaker() as session:
        kept = await session.scalar(select(IdempotencyKey.response))
    assert kept is not None and first.json()["secret"] not in kept


async def test_concurrent_retries_create_once_across_connections(
    committed_app: FastAPI, committed_client: AsyncClient
) -> None:
    """Each request has its own connection and commits: the database decides the winner."""
    factory = Factory(committed_app, committed_client)
    operator = await factory.headers(await factory.operator())
    partner = await factory.partner()
    keyed = {**operator, "Idempotency-Key": "svc-race"}

    answers = await asyncio.gather(
        *(
            committed_client.post("/v1/services", json=_service_body(partner), headers=keyed)
            for _ in range(8)
        )
    )

    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    assert await _count(committed_app, Service, Service.partner_id == partner.id) == 1
