"""Every consent, edit, cancel and deactivation — and every refusal of one — is in the trail,
with its webhook in the outbox and its transition counted, all in the change's transaction."""

from __future__ import annotations

from httpx import AsyncClient

from tests.consent.helpers import decision, open_link, pick
from tests.factories import Factory
from tests.webhooks.helpers import OpsWorld, audit_events, deliveries
from tsp_auth.models import AuditEvent, WebhookDelivery
from tsp_auth.observability.metrics import GRANT_TRANSITIONS


def _counted(to: str) -> float:
    return GRANT_TRANSITIONS.labels(to)._value.get()


def _summary(events: list[AuditEvent]) -> list[tuple[object, ...]]:
    return [(e.action, e.outcome, e.reason, e.grant_id) for e in events]


async def _queued(factory: Factory) -> list[tuple[str, str]]:
    return [(d.event_type, d.body) for d in await deliveries(factory.app)]


async def test_accept_records_the_consent_and_each_grant_created_then_renewed(
    client: AsyncClient, factory: Factory, world: OpsWorld
) -> None:
    headers = {**await factory.headers(world.main), "X-Request-Id": "req-accept-1"}
    other = await factory.service(world.partner)
    created_before = _counted("active")
    request_id = await open_link(client, other.id)
    response = await client.post(
        f"/v1/authorization-requests/{request_id}/accept",
        json=decision(pick(other)),
        headers=headers,
    )
    assert response.status_code == 200, response.text
    [issued] = response.json()["grants"]
    events = await audit_events(factory.app)
    assert _summary(events) == [
        ("consent.accepted", "success", None, None),
        ("grant.created", "success", None, issued["id"]),
    ]
    for event in events:
        assert (event.actor_id, event.actor_type) == (world.main.id, "account")
        assert (event.on_behalf_of, event.seller_id) == (world.seller.id, world.seller.id)
        assert (event.partner_id, event.request_id) == (world.partner.id, "req-accept-1")
    assert events[0].detail["grant_ids"] == [issued["id"]]
    assert events[1].detail["items"] == ["data_compass"] and events[1].detail["version"] == 1
    assert [t for t, _ in await _queued(factory)] == ["grant.created"]

    renewal = await open_link(client, other.id)
    again = await client.post(
        f"/v1/authorization-requests/{renewal}/accept",
        json=decision(pick(other), duration_days=180),
        headers=headers,
    )
    assert again.status_code == 200, again.text
    latest = (await audit_events(factory.app, AuditEvent.action == "grant.renewed"))[0]
    assert (latest.grant_id, latest.detail["version"]) == (issued["id"], 2)
    assert [t for t, _ in await _queued(factory)] == ["grant.created", "grant.renewed"]
    assert _counted("active") == created_before + 2


async def test_reject_is_recorded_for_seller_and_partner(
    client: AsyncClient, factory: Factory, world: OpsWorld
) -> None:
    request_id = await open_link(client, world.service.id)
    response = await client.post(
        f"/v1/authorization-requests/{request_id}/reject",
        headers=await factory.headers(world.main),
    )
    assert response.status_code == 200
    [event] = await audit_events(factory.app)
    assert (event.action, event.outcome, event.actor_id) == (
        "consent.rejected",
        "success",
        world.main.id,
    )
    assert (event.seller_id, event.partner_id) == (world.seller.id, world.partner.id)
    assert event.detail["authorization_request_id"] == request_id
    assert await _queued(factory) == []


async def test_refused_consents_are_recorded_with_their_reason_and_nothing_else(
    client: AsyncClient, factory: Factory, world: OpsWorld
) -> None:
    sub = await factory.account("seller", "sub", seller_id=world.seller.id)
    request_id = await open_link(client, world.service.id)
    url = f"/v1/authorization-requests/{request_id}/accept"
    main = await factory.headers(world.main)
    cases = [
        (await factory.headers(sub), decision(pick(world.service)), "not_main_account"),
        (main, decision(pick(world.service), terms_accepted=False), "terms_not_accepted"),
        (main, decision(pick(world.service, ["seller_center_access"])), "roles_required"),
    ]
    for headers, body, reason in cases:
        response = await client.post(url, json=body, headers=headers)
        assert response.json()["error"] == reason
    events = await audit_events(factory.app)
    assert [(e.action, e.outcome, e.reason) for e in events] == [
        ("consent.accepted", "denied", reason) for _, _, reason in cases
    ]
    assert events[0].actor_id == sub.id
    for event in events:
        assert (event.seller_id, event.partner_id) == (world.seller.id, world.partner.id)
        assert event.detail == {
            "authorization_request_id": request_id,
            "service_id": world.service.id,
        }
    assert await _queued(factory) == []


async def test_edit_cancel_and_deactivate_are_recorded_with_their_webhooks(
    client: AsyncClient, factory: Factory, world: OpsWorld
) -> None:
    main = await factory.headers(world.main)
    edited = await client.patch(
        f"/v1/grants/{world.grant.id}", json={"roles": ["orders"]}, headers=main
    )
    assert edited.status_code == 200, edited.text
    second = await factory.grant(world.seller, await factory.service(world.partner))
    third = await factory.grant(world.seller, await factory.service(world.partner))
    operator = await factory.operator()
    deactivated = await client.post(
        f"/v1/grants/{third.id}/deactivate",
        json={"reason": "platform_policy"},
        headers=await factory.headers(operator),
    )
    assert deactivated.status_code == 200
    cancelled_before = _counted("cancelled")
    cancel = await client.post(f"/v1/grants/{world.grant.id}/cancel", headers=main)
    assert cancel.status_code == 200, cancel.text

    events = await audit_events(factory.app)
    assert sorted(_summary(events)) == sorted(
        [
            ("grant.updated", "success", None, world.grant.id),
            ("grant.deactivated", "success", None, third.id),
            ("grant.cancelled", "success", None, world.grant.id),
            ("grant.cancelled", "success", None, second.id),
        ]
    )
    update = next(e for e in events if e.action == "grant.updated")
    assert update.detail["roles"] == ["orders"] and update.detail["version"] == 2
    off = next(e for e in events if e.action == "grant.deactivated")
    assert (off.actor_id, off.on_behalf_of, off.detail["status_reason"]) == (
        operator.id,
        None,
        "platform_policy",
    )
    assert {e.on_behalf_of for e in events if e.action != "grant.deactivated"} == {world.seller.id}
    assert _counted("cancelled") == cancelled_before + 2
    queued = sorted(t for t, _ in await _queued(factory))
    assert queued == ["grant.cancelled", "grant.cancelled", "grant.deactivated", "grant.updated"]


async def test_refused_grant_changes_are_recorded_without_leaking_other_tenants(
    client: AsyncClient, factory: Factory, world: OpsWorld
) -> None:
    sub = await factory.account("seller", "sub", seller_id=world.seller.id)
    stranger_seller, stranger = await factory.seller("UK")
    partner_admin = await factory.account("partner", "admin", partner_id=world.partner.id)
    url = f"/v1/grants/{world.grant.id}"
    refusals = [
        (sub, "PATCH", url, "grant.updated", "not_main_account"),
        (partner_admin, "POST", url + "/cancel", "grant.cancelled", "seller_only"),
        (world.main, "POST", url + "/deactivate", "grant.deactivated", "operator_required"),
        (stranger, "POST", url + "/cancel", "grant.cancelled", "not_found"),
    ]
    for account, method, path, _, error in refusals:
        body = {"reason": "platform_policy"} if path.endswith("deactivate") else {"roles": []}
        response = await client.request(
            method, path, json=body, headers=await factory.headers(account)
        )
        assert response.json()["error"] == error, response.text
    events = await audit_events(factory.app)
    assert [(e.action, e.outcome, e.reason, e.actor_id) for e in events] == [
        (action, "denied", error, account.id) for account, _, _, action, error in refusals
    ]
    *seen, probe = events
    for event in seen:
        assert (event.grant_id, event.seller_id) == (world.grant.id, world.seller.id)
        assert event.partner_id == world.partner.id
    # The other seller's probe is its own business: not filed under this seller or grant.
    assert (probe.grant_id, probe.seller_id) == (None, stranger_seller.id)
    assert await _queued(factory) == []


async def test_making_a_service_invalid_records_each_deactivated_grant(
    client: AsyncClient, factory: Factory, world: OpsWorld
) -> None:
    admin = await factory.account("partner", "admin", partner_id=world.partner.id)
    other_seller, _ = await factory.seller("UK")
    other = await factory.grant(other_seller, world.service)
    response = await client.patch(
        f"/v1/services/{world.service.id}",
        json={"valid": False},
        headers=await factory.headers(admin),
    )
    assert response.status_code == 200, response.text
    events = await audit_events(factory.app, AuditEvent.action == "grant.deactivated")
    assert sorted(e.grant_id for e in events) == sorted([world.grant.id, other.id])
    for event in events:
        assert (event.actor_id, event.on_behalf_of) == (admin.id, world.partner.id)
        assert event.detail["status_reason"] == "service_not_valid"
    queued = await deliveries(factory.app, WebhookDelivery.event_type == "grant.deactivated")
    assert len(queued) == 2
