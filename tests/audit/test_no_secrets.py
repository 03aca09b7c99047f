"""No token, code or secret ever lands in the audit trail or a webhook body."""

from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy import select

from tests.consent.helpers import decision, open_link, pick
from tests.factories import Factory
from tests.webhooks.helpers import register_endpoint, run_worker
from tests.webhooks.receiver import Receiver
from tsp_auth.models import AuditEvent, WebhookAttempt, WebhookDelivery


async def test_a_full_flow_stores_no_secret_anywhere_in_the_trail(
    client: AsyncClient, factory: Factory, receiver: Receiver
) -> None:
    partner = await factory.partner()
    admin_account = await factory.account("partner", "admin", partner_id=partner.id)
    admin = await factory.headers(admin_account)
    endpoint = await register_endpoint(client, admin, receiver.url)
    service = await factory.service(partner)
    seller, main_account = await factory.seller("UK")
    main = await factory.headers(main_account)
    secrets = {endpoint["secret"], *(h["Authorization"].split()[1] for h in (admin, main))}

    request_id = await open_link(client, service.id)
    refused = await client.post(
        f"/v1/authorization-requests/{request_id}/accept",
        json=decision(pick(service), terms_accepted=False),
        headers=main,
    )
    assert refused.status_code == 400
    accepted = await client.post(
        f"/v1/authorization-requests/{request_id}/accept",
        json=decision(pick(service, ["seller_center_access"], roles=["orders"])),
        headers=main,
    )
    assert accepted.status_code == 200, accepted.text
    [grant] = accepted.json()["grants"]

    # TSP Access: a login token, redeemed for a console session.
    login = await client.post("/v1/tsp-access/login", json={"seller_id": seller.id}, headers=admin)
    assert login.status_code == 200, login.text
    secrets.add(login.json()["login_token"])
    started = await client.post(
        "/v1/tsp-access/sessions",
        json={"login_token": login.json()["login_token"], "browser_profile": "chrome-1"},
    )
    assert started.status_code == 201, started.text
    secrets.add(started.json()["session_token"])
    replay = await client.post(
        "/v1/tsp-access/sessions", json={"login_token": login.json()["login_token"]}
    )
    assert replay.status_code >= 400

    await client.patch(f"/v1/grants/{grant['id']}", json={"roles": ["products"]}, headers=main)
    await client.post(f"/v1/grants/{grant['id']}/cancel", headers=main)
    await run_worker(factory.app)

    async with factory.app.state.sessionmaker() as session:
        actions = set((await session.scalars(select(AuditEvent.action))).all())
    assert {"login_token.minted", "session.started", "grant.cancelled"} <= actions
    stored = await _everything_stored(factory)
    for text in stored:
        assert "Bearer" not in text and "bearer " not in text.lower()
        for secret in secrets:
            assert secret not in text
    for request in receiver.requests:
        for secret in secrets:
            assert secret.encode() not in request.body


async def _everything_stored(factory: Factory) -> list[str]:
    """Every column of every audit event, outbox row and attempt, as text."""
    texts: list[str] = []
    async with factory.app.state.sessionmaker() as session:
        for model in (AuditEvent, WebhookDelivery, WebhookAttempt):
            for row in (await session.scalars(select(model))).all():
                texts += [str(getattr(row, c.key)) for c in model.__table__.columns]
    return texts
