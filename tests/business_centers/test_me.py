"""`GET /v1/me` names the caller's Business Center and role, so a Business Center frontend can
find its centre (issue 15 item 6)."""

from __future__ import annotations

from httpx import AsyncClient

from tests.business_centers.helpers import BcWorld
from tests.factories import Factory


async def test_admin_and_member_see_their_business_center_and_role(
    client: AsyncClient, world: BcWorld
) -> None:
    for headers, role in ((world.admin_h, "admin"), (world.member_h, "member")):
        me = await client.get("/v1/me", headers=headers)
        assert me.status_code == 200, me.text
        assert me.json()["business_centers"] == [
            {"id": world.bc.id, "name": world.bc.name, "role": role}
        ]


async def test_accounts_outside_any_business_center_list_none(
    client: AsyncClient, factory: Factory, world: BcWorld
) -> None:
    _, main = await factory.seller()
    loner = await factory.bc_account(None)
    for account_h in (world.owner_h, await factory.headers(main), await factory.headers(loner)):
        me = await client.get("/v1/me", headers=account_h)
        assert me.status_code == 200, me.text
        assert me.json()["business_centers"] == []


async def test_me_without_identity_is_refused(client: AsyncClient) -> None:
    refused = await client.get("/v1/me")
    assert refused.status_code == 401
    assert "business_centers" not in refused.text
