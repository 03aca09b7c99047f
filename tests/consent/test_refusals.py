"""Every refusal of accept/reject: its status, its reason code, and nothing written."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from httpx import AsyncClient

from tests.consent.helpers import decision, open_link, pick, set_row, snapshot
from tests.factories import Factory
from tsp_auth.clock import now
from tsp_auth.models import Account, AuthorizationRequest, Partner, Seller, Service


@dataclass
class World:
    """A UK seller, its partner's services, and a request for ``service``."""

    factory: Factory
    partner: Partner
    service: Service
    seller: Seller
    main: Account
    request_id: str

    @property
    def accept_url(self) -> str:
        return f"/v1/authorization-requests/{self.request_id}/accept"


@pytest.fixture
async def world(client: AsyncClient, factory: Factory) -> World:
    partner = await factory.partner()
    service = await factory.service(partner)
    seller, main = await factory.seller("UK")
    return World(factory, partner, service, seller, main, await open_link(client, service.id))


async def _refused(
    client: AsyncClient, world: World, body: dict[str, Any], status: int, error: str, **kw: Any
) -> None:
    headers = kw.get("headers") or await world.factory.headers(world.main)
    before = await snapshot(world.factory.app)
    response = await client.post(kw.get("url", world.accept_url), json=body, headers=headers)
    assert (response.status_code, response.json()["error"]) == (status, error), response.text
    assert await snapshot(world.factory.app) == before


async def test_sub_account_may_not_accept_or_reject(client: AsyncClient, world: World) -> None:
    sub = await world.factory.account("seller", "sub", seller_id=world.seller.id)
    headers = await world.factory.headers(sub)
    body = decision(pick(world.service))
    await _refused(client, world, body, 403, "not_main_account", headers=headers)
    reject = world.accept_url.replace("/accept", "/reject")
    await _refused(client, world, {}, 403, "not_main_account", headers=headers, url=reject)


@pytest.mark.parametrize("kind", ["partner_admin", "partner_member", "operator"])
async def test_partner_and_operator_accounts_may_not_accept(
    client: AsyncClient, world: World, kind: str
) -> None:
    factory = world.factory
    account = (
        await factory.operator()
        if kind == "operator"
        else await factory.account("partner", kind.split("_")[1], partner_id=world.partner.id)
    )
    headers = await factory.headers(account)
    await _refused(
        client, world, decision(pick(world.service)), 403, "not_main_account", headers=headers
    )


async def test_expired_request_is_gone(client: AsyncClient, world: World) -> None:
    await set_row(world.factory.app, AuthorizationRequest, world.request_id, expires_at=now())
    await _refused(client, world, decision(pick(world.service)), 410, "request_expired")
    reject = world.accept_url.replace("/accept", "/reject")
    await _refused(client, world, {}, 410, "request_expired", url=reject)


async def test_a_decided_request_cannot_be_decided_again(client: AsyncClient, world: World) -> None:
    headers = await world.factory.headers(world.main)
    first = await client.post(world.accept_url, json=decision(pick(world.service)), headers=headers)
    assert first.status_code == 200
    await _refused(client, world, decision(pick(world.service)), 409, "request_already_decided")
    reject = world.accept_url.replace("/accept", "/reject")
    await _refused(client, world, {}, 409, "request_already_decided", url=reject)


async def test_unknown_request_is_404(client: AsyncClient, world: World) -> None:
    url = "/v1/authorization-requests/azr_unknown/accept"
    await _refused(client, world, decision(pick(world.service)), 404, "not_found", url=url)


@pytest.mark.parametrize(
    "overrides",
    [{"terms_accepted": False}, {"terms_version": "2024-01"}],
)
async def test_terms_must_be_accepted_in_their_current_version(
    client: AsyncClient, world: World, overrides: dict[str, Any]
) -> None:
    body = decision(pick(world.service), **overrides)
    await _refused(client, world, body, 400, "terms_not_accepted")


ServiceMaker = Callable[[World], Awaitable[Service]]


async def _invalid(w: World) -> Service:
    return await w.factory.service(w.partner, valid=False)


async def _other_market(w: World) -> Service:
    return await w.factory.service(w.partner, markets=("DE",))


async def _custom_not_offered(w: World) -> Service:
    return await w.factory.service(w.partner, visibility="custom")


async def _other_partner(w: World) -> Service:
    return await w.factory.service(await w.factory.partner())


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (_invalid, "service_not_valid"),
        (_other_market, "service_not_in_market"),
        (_custom_not_offered, "service_not_offered"),
        (_other_partner, "service_not_offered"),
    ],
)
async def test_every_picked_service_must_be_available_to_the_seller(
    client: AsyncClient, world: World, make: ServiceMaker, error: str
) -> None:
    unavailable = await make(world)
    body = decision(pick(world.service), pick(unavailable))
    await _refused(client, world, body, 400, error)


async def test_unknown_service_id_is_not_offered(client: AsyncClient, world: World) -> None:
    body = decision(pick(world.service), pick("svc_nope"))
    await _refused(client, world, body, 400, "service_not_offered")


async def test_another_active_service_is_already_authorized(
    client: AsyncClient, world: World
) -> None:
    other = await world.factory.service(world.partner)
    headers = await world.factory.headers(world.main)
    earlier = await open_link(client, other.id)
    done = await client.post(
        f"/v1/authorization-requests/{earlier}/accept",
        json=decision(pick(other)),
        headers=headers,
    )
    assert done.status_code == 200
    body = decision(pick(world.service), pick(other))
    await _refused(client, world, body, 400, "already_authorized")


@pytest.mark.parametrize(
    ("chosen", "error"),
    [
        (pick("S", ["seller_center_access"]), "roles_required"),
        (
            pick("S", ["seller_center_access"], roles=["full_access", "orders"]),
            "full_access_exclusive",
        ),
        (pick("S", ["seller_center_access"], roles=["root"]), "unknown_role"),
        (pick("S", ["data_compass"], areas=[]), "areas_required"),
        (pick("S", ["data_compass"], areas=["everything"]), "unknown_area"),
        (pick("S", ["data_compass"], roles=["orders"]), "seller_center_access_not_granted"),
        (pick("S", ["teleport"]), "unknown_item"),
    ],
)
async def test_selection_refusals_carry_the_policy_reason(
    client: AsyncClient, world: World, chosen: dict[str, Any], error: str
) -> None:
    body = decision(chosen | {"service_id": world.service.id})
    await _refused(client, world, body, 400, error)


async def test_item_the_service_does_not_qualify_for(client: AsyncClient, world: World) -> None:
    narrow = await world.factory.service(world.partner, items=("data_compass",))
    body = decision(pick(narrow, ["shop_operation_ticket"]))
    await _refused(client, world, body, 400, "item_not_qualified")


async def test_unknown_duration(client: AsyncClient, world: World) -> None:
    body = decision(pick(world.service), duration_days=7)
    await _refused(client, world, body, 400, "unknown_duration")


@pytest.mark.parametrize(
    "body",
    [
        decision(),  # no service
        decision(*[pick(f"svc_{i}") for i in range(21)]),  # too many
        decision(pick("S"), pick("S")),  # the same service twice
        decision(pick("S"), contact_email="not-an-email"),
        decision(pick("S"), unexpected=True),
    ],
)
async def test_malformed_decisions_are_400_invalid_request(
    client: AsyncClient, world: World, body: dict[str, Any]
) -> None:
    await _refused(client, world, body, 400, "invalid_request")
