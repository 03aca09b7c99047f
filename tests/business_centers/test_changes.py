"""Seed 003: an admin manages the permission it gave: changes a member's level on a TikTok
account or its role on an ad account, or takes either back. A removal or a narrowing bites on
the very next call; each change is audited; a refused change writes nothing."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient
from sqlalchemy import select

from tests.business_centers.helpers import BcWorld, approve, count
from tests.factories import Factory
from tsp_auth.models import AuditEvent, BcAdAccountAccess, BcAssignment

PULL = "spark_ads.pull_video"
AD = "ad_001"


async def _assign(client: AsyncClient, world: BcWorld, level: str = "operator") -> str:
    response = await client.post(
        f"/v1/business-centers/{world.bc.id}/assignments",
        json={
            "member_id": world.member.id,
            "tiktok_account_id": world.owner.id,
            "permission": level,
        },
        headers=world.admin_h,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _ad_role(client: AsyncClient, world: BcWorld, role: str = "operator") -> str:
    response = await client.post(
        f"/v1/business-centers/{world.bc.id}/ad-account-access",
        json={"member_id": world.member.id, "ad_account_id": AD, "role": role},
        headers=world.admin_h,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _pull(client: AsyncClient, world: BcWorld) -> dict[str, Any]:
    response = await client.post(
        f"/v1/business-centers/{world.bc.id}/decisions",
        json={"tiktok_account_id": world.owner.id, "action": PULL, "ad_account_id": AD},
        headers=world.member_h,
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def _seen(client: AsyncClient, world: BcWorld) -> list[str]:
    response = await client.get(
        f"/v1/business-centers/{world.bc.id}/tiktok-accounts", headers=world.member_h
    )
    assert response.status_code == 200, response.text
    return [item["tiktok_account_id"] for item in response.json()["items"]]


async def _actions(factory: Factory) -> list[str]:
    """The changes the audit trail records as made (refusals are recorded as ``denied``)."""
    async with factory.app.state.sessionmaker() as session:
        rows = await session.scalars(
            select(AuditEvent.action).where(AuditEvent.outcome == "success").order_by(AuditEvent.id)
        )
        return list(rows.all())


async def test_changing_the_level_narrows_at_once(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    await approve(client, world)
    assignment = await _assign(client, world, "operator")
    await _ad_role(client, world)
    assert (await _pull(client, world))["allow"] is True

    path = f"/v1/business-centers/{world.bc.id}/assignments/{assignment}"
    changed = await client.patch(path, json={"permission": "analyst"}, headers=world.admin_h)
    assert changed.status_code == 200, changed.text
    assert changed.json()["permission"] == "analyst"

    refused = await _pull(client, world)
    assert (refused["allow"], refused["reason"], refused["level"]) == (
        False,
        "permission_level_too_low",
        "analyst",
    )
    assert world.owner.id in await _seen(client, world)  # narrowed, still assigned
    async with factory.app.state.sessionmaker() as session:
        event = await session.scalar(
            select(AuditEvent).where(AuditEvent.action == "bc_assignment.updated")
        )
        assert event is not None and event.actor_id == world.admin.id
        assert (event.detail["level_before"], event.detail["level"]) == ("operator", "analyst")


async def test_removing_the_assignment_hides_the_account_and_refuses_pull_video(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    await approve(client, world)
    assignment = await _assign(client, world)
    await _ad_role(client, world)
    assert world.owner.id in await _seen(client, world)

    path = f"/v1/business-centers/{world.bc.id}/assignments/{assignment}"
    removed = await client.delete(path, headers=world.admin_h)
    assert removed.status_code == 204, removed.text

    assert await _seen(client, world) == []
    refused = await _pull(client, world)
    assert (refused["allow"], refused["reason"]) == (False, "not_assigned")
    assert await count(factory, BcAssignment) == 0
    assert "bc_assignment.removed" in await _actions(factory)
    again = await client.delete(path, headers=world.admin_h)
    assert (again.status_code, again.json()["error"]) == (404, "not_found")


async def test_changing_and_removing_an_ad_account_role(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    await approve(client, world)
    await _assign(client, world)
    access = await _ad_role(client, world, "admin")
    path = f"/v1/business-centers/{world.bc.id}/ad-account-access/{access}"

    changed = await client.patch(path, json={"role": "analyst"}, headers=world.admin_h)
    assert (changed.status_code, changed.json()["role"]) == (200, "analyst")
    narrowed = await _pull(client, world)
    assert (narrowed["allow"], narrowed["reason"]) == (False, "ad_account_role_required")

    back = await client.patch(path, json={"role": "operator"}, headers=world.admin_h)
    assert back.status_code == 200
    assert (await _pull(client, world))["allow"] is True

    removed = await client.delete(path, headers=world.admin_h)
    assert removed.status_code == 204, removed.text
    gone = await _pull(client, world)
    assert (gone["allow"], gone["reason"], gone["ad_account_role"]) == (
        False,
        "ad_account_role_required",
        None,
    )
    assert await count(factory, BcAdAccountAccess) == 0
    actions = await _actions(factory)
    assert actions.count("bc_ad_account_access.updated") == 2
    assert "bc_ad_account_access.removed" in actions


async def test_refusals_write_nothing(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    await approve(client, world)
    assignment = await _assign(client, world)
    access = await _ad_role(client, world)
    other_bc, other_admin = await factory.business_center()
    other_h = await factory.headers(other_admin)
    base = f"/v1/business-centers/{world.bc.id}"
    cases: list[tuple[str, str, dict[str, str], dict[str, Any] | None, int, str]] = [
        (
            "patch",
            f"{base}/assignments/{assignment}",
            world.member_h,
            {"permission": "admin"},
            403,
            "bc_admin_required",
        ),
        (
            "delete",
            f"{base}/assignments/{assignment}",
            world.member_h,
            None,
            403,
            "bc_admin_required",
        ),
        (
            "patch",
            f"{base}/ad-account-access/{access}",
            world.member_h,
            {"role": "admin"},
            403,
            "bc_admin_required",
        ),
        (
            "delete",
            f"{base}/ad-account-access/{access}",
            world.member_h,
            None,
            403,
            "bc_admin_required",
        ),
        ("delete", f"{base}/assignments/{assignment}", other_h, None, 404, "not_found"),
        (
            "delete",
            f"/v1/business-centers/{other_bc.id}/assignments/{assignment}",
            other_h,
            None,
            404,
            "not_found",
        ),
        (
            "patch",
            f"{base}/assignments/{assignment}",
            world.admin_h,
            {"permission": "boss"},
            400,
            "invalid_request",
        ),
        (
            "patch",
            f"{base}/ad-account-access/{access}",
            world.admin_h,
            {"role": "x"},
            400,
            "invalid_request",
        ),
        (
            "patch",
            f"{base}/assignments/bca_nope",
            world.admin_h,
            {"permission": "admin"},
            404,
            "not_found",
        ),
    ]
    before = await _actions(factory)
    for method, path, headers, body, status, error in cases:
        response = await client.request(method, path, json=body, headers=headers)
        answer = (response.status_code, response.json().get("error"))
        assert answer == (status, error), (method, path, response.text)
    async with factory.app.state.sessionmaker() as session:
        row = await session.get(BcAssignment, assignment)
        assert row is not None and row.permission == "operator"
        ad = await session.get(BcAdAccountAccess, access)
        assert ad is not None and ad.role == "operator"
    assert (await _pull(client, world))["allow"] is True
    changes = {a for a in await _actions(factory) if a not in before}
    assert not changes & {"bc_assignment.updated", "bc_assignment.removed"}
    assert not changes & {"bc_ad_account_access.updated", "bc_ad_account_access.removed"}
