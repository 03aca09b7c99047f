"""Helpers shared by the audit, webhook and sweep tests."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from tests.factories import Factory
from tsp_auth.models import (
    Account,
    AuditEvent,
    Grant,
    Partner,
    Seller,
    Service,
    WebhookAttempt,
    WebhookDelivery,
)
from tsp_auth.models.base import Base
from tsp_auth.webhooks.delivery import http_client
from tsp_auth.worker.schedule import WorkerRun, run_once

ALL_EVENTS = [
    "grant.created",
    "grant.updated",
    "grant.renewed",
    "grant.expiring",
    "grant.expired",
    "grant.cancelled",
    "grant.deactivated",
    "app_authorization.cancelled",
]
README = Path(__file__).resolve().parents[2] / "README.md"

Verifier = Callable[..., dict[str, Any]]


def readme_verifier() -> Verifier:
    """The receiver code exactly as the README shows it to partners."""
    text = README.read_text()
    block = re.search(
        r"<!-- webhook-verify:start -->\s*```python\n(.*?)```\s*<!-- webhook-verify:end -->",
        text,
        re.S,
    )
    assert block is not None, "README lost its webhook verification example"
    namespace: dict[str, Any] = {}
    exec(compile(block.group(1), "README.md", "exec"), namespace)  # noqa: S102 (our README)
    verify: Verifier = namespace["verify_webhook"]
    return verify


async def register_endpoint(
    client: AsyncClient, headers: dict[str, str], url: str, events: list[str] | None = None
) -> dict[str, Any]:
    response = await client.post(
        "/v1/webhooks", json={"url": url, "events": events or ALL_EVENTS}, headers=headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def run_worker(app: FastAPI, **kw: Any) -> WorkerRun:
    settings = app.state.settings
    async with http_client(settings) as http:
        return await run_once(app.state.sessionmaker, settings, http, **kw)


async def rows(app: FastAPI, model: type[Base], *where: Any, order: Any = None) -> list[Any]:
    async with app.state.sessionmaker() as session:
        query = select(model).where(*where)
        if order is not None:
            query = query.order_by(order)
        return list((await session.scalars(query)).all())


async def deliveries(app: FastAPI, *where: Any) -> list[WebhookDelivery]:
    return await rows(app, WebhookDelivery, *where, order=WebhookDelivery.created_at)


async def attempts(app: FastAPI, delivery_id: str) -> list[WebhookAttempt]:
    return await rows(
        app, WebhookAttempt, WebhookAttempt.delivery_id == delivery_id, order=WebhookAttempt.number
    )


async def audit_events(app: FastAPI, *where: Any) -> list[AuditEvent]:
    return await rows(app, AuditEvent, *where, order=AuditEvent.occurred_at)


@dataclass
class OpsWorld:
    """A partner with an admin and an endpoint on the receiver; a UK seller holding a grant."""

    partner: Partner
    admin: dict[str, str]
    service: Service
    seller: Seller
    main: Account
    grant: Grant
    endpoint_id: str
    secret: str


async def make_ops_world(factory: Factory, url: str, events: list[str] | None = None) -> OpsWorld:
    partner = await factory.partner()
    admin = await factory.headers(await factory.account("partner", "admin", partner_id=partner.id))
    endpoint = await register_endpoint(factory.client, admin, url, events)
    service = await factory.service(partner)
    seller, main = await factory.seller("UK")
    grant = await factory.grant(seller, service, consented_by=main)
    return OpsWorld(
        partner, admin, service, seller, main, grant, endpoint["id"], endpoint["secret"]
    )
