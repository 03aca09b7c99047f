"""Member assignments (DESIGN §2): admins assign members to sellers, with all or some roles."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient, Response

from tests.factories import Factory
from tests.tsp_access.helpers import World, audit_events, console_session, decide, session_token
from tsp_auth.models import Account


async def _assign(factory: Factory, caller: Account, **body: Any) -> Response:
    return await factory.client.post(
        "/v1/assignments", json=body, headers=await factory.headers(caller)
    )


async def test_an_admin_assigns_a_member_and_both_see_it(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    response = await _assign(
        factory, world.admin, member_id=world.member.id, seller_id=world.seller.id, roles=None
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert (created["partner_id"], created["roles"]) == (world.partner.id, None)
    other_member = await factory.account("partner", "member", partner_id=world.partner.id)
    for caller, expected in (
        (world.admin, [created]),
        (world.member, [created]),
        (other_member, []),
    ):
        listed = await client.get("/v1/assignments", headers=await factory.headers(caller))
        assert listed.json()["items"] == expected
    [event] = await audit_events(factory, "assignment.created")
    assert (event.actor_id, event.detail["member_id"]) == (world.admin.id, world.member.id)


async def test_only_a_partner_admin_assigns(factory: Factory, world: World) -> None:
    body = {"member_id": world.member.id, "seller_id": world.seller.id}
    for caller in (world.member, world.main, await factory.operator()):
        response = await _assign(factory, caller, **body)
        assert (response.status_code, response.json()["error"]) == (403, "partner_admin_required")


async def test_unknown_or_foreign_members_and_sellers_are_404(
    factory: Factory, world: World
) -> None:
    foreign = await factory.account("partner", "member", partner_id=(await factory.partner()).id)
    ungranted, _ = await factory.seller("UK")
    cancelled, _ = await factory.seller("UK")
    await factory.grant(cancelled, world.service, status="cancelled")
    for member_id, seller_id in (
        ("acc_missing", world.seller.id),
        (foreign.id, world.seller.id),
        (world.main.id, world.seller.id),
        (world.member.id, ungranted.id),
        (world.member.id, cancelled.id),
        (world.member.id, "slr_missing"),
    ):
        response = await _assign(factory, world.admin, member_id=member_id, seller_id=seller_id)
        assert response.status_code == 404, (member_id, seller_id)


async def test_roles_are_catalogued_and_assignments_unique(factory: Factory, world: World) -> None:
    body = {"member_id": world.member.id, "seller_id": world.seller.id}
    expected = [
        ({"roles": ["wizardry"]}, 400, "unknown_role"),
        ({"roles": []}, 400, "roles_required"),
        ({"member_id": world.admin.id}, 400, "member_is_admin"),
        ({"roles": ["products"]}, 201, None),
        ({"roles": ["orders"]}, 409, "already_assigned"),
    ]
    for extra, status, error in expected:
        response = await _assign(factory, world.admin, **{**body, **extra})
        assert response.status_code == status, response.text
        assert response.json().get("error") == error


async def test_removing_an_assignment_ends_the_members_sessions_for_that_seller(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    other, _ = await factory.seller("UK")
    await factory.grant(other, world.service)
    here = await factory.assignment(world.member, world.seller)
    await factory.assignment(world.member, other)
    token = await session_token(factory, world.member, world.seller.id)
    kept = await session_token(factory, world.member, other.id)
    foreign_admin = await factory.account(
        "partner", "admin", partner_id=(await factory.partner()).id
    )
    for caller, status in ((world.member, 403), (foreign_admin, 404), (world.admin, 204)):
        response = await client.delete(
            f"/v1/assignments/{here.id}", headers=await factory.headers(caller)
        )
        assert response.status_code == status
    answer = await decide(client, token, "seller_center.orders", world.seller.id)
    assert (answer["allow"], answer["reason"]) == (False, "session_ended")
    assert (await decide(client, kept, "seller_center.orders", other.id))["allow"]
    [ended] = await audit_events(factory, "session.ended")
    assert ended.detail["end_reason"] == "assignment_removed" and ended.actor_id == world.admin.id
    assert (await console_session(factory, ended.detail["session_id"])).ended_at is not None
    again = await client.post(
        "/v1/tsp-access/login",
        json={"seller_id": world.seller.id},
        headers=await factory.headers(world.member),
    )
    assert (again.status_code, again.json()["error"]) == (403, "not_assigned")


async def test_sellers_admins_see_all_members_what_is_assigned(
    client: AsyncClient, factory: Factory, world: World
) -> None:
    assigned_other, _ = await factory.seller("US-CB")
    await factory.grant(assigned_other, await factory.service(world.partner, markets=("US-CB",)))
    ended, _ = await factory.seller("UK")
    await factory.grant(ended, world.service, status="cancelled")
    await factory.assignment(world.member, world.seller, roles=["products", "finance"])
    admin_view = (
        await client.get("/v1/tsp-access/sellers", headers=await factory.headers(world.admin))
    ).json()["items"]
    assert sorted(s["seller_id"] for s in admin_view) == sorted(
        [world.seller.id, assigned_other.id]
    )
    member_view = (
        await client.get("/v1/tsp-access/sellers", headers=await factory.headers(world.member))
    ).json()["items"]
    [seller] = member_view
    [grant] = seller["grants"]
    assert (seller["seller_id"], grant["grant_id"]) == (world.seller.id, world.grant.id)
    assert grant["roles"] == ["products"] and grant["login"] == {"allow": True, "reason": "ok"}
    us_cb = next(s for s in admin_view if s["seller_id"] == assigned_other.id)
    assert us_cb["grants"][0]["login"] == {
        "allow": False,
        "reason": "market_disallows_console_access",
    }
    seller_answer = await client.get(
        "/v1/tsp-access/sellers", headers=await factory.headers(world.main)
    )
    assert seller_answer.status_code == 403
