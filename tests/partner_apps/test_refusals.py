"""Every rule of seed 004 refuses with its reason code and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select, update

from tests.factories import Factory
from tests.oauth.helpers import pkce_pair, query_of
from tests.partner_apps.helpers import (
    accept,
    link_params,
    open_link,
    org,
    partner_app,
    written,
)
from tsp_auth.models import AuditEvent, Client


async def _refused(
    client: AsyncClient,
    factory: Factory,
    request_id: str,
    headers: dict[str, str],
    status: int,
    error: str,
    **body: Any,
) -> None:
    before = await written(factory.app)
    response = await accept(client, request_id, headers, **body)
    assert (response.status_code, response.json()["error"]) == (status, error), response.text
    assert await written(factory.app) == before
    async with factory.app.state.sessionmaker() as session:
        events = (
            await session.scalars(
                select(AuditEvent).where(AuditEvent.action == "app_authorization.accepted")
            )
        ).all()
    assert events and events[-1].outcome == "denied"


async def test_a_partner_not_enrolled_in_tap_is_refused(
    client: AsyncClient, factory: Factory
) -> None:
    owner = await org(factory)
    app = await partner_app(factory, owner)
    outsider = await org(factory, tap=False)
    request_id, _ = await open_link(client, app)
    view = await client.get(f"/v1/app-authorization-requests/{request_id}", headers=outsider.admin)
    assert view.json()["refused_reason"] == "partner_not_tap_enrolled"
    await _refused(client, factory, request_id, outsider.admin, 403, "partner_not_tap_enrolled")


@pytest.mark.parametrize("category", ["seller_service", "TAP", ""])
async def test_only_the_tap_category_may_be_chosen(
    client: AsyncClient, factory: Factory, category: str
) -> None:
    grantor = await org(factory)
    app = await partner_app(factory, grantor)
    request_id, _ = await open_link(client, app)
    await _refused(
        client, factory, request_id, grantor.admin, 400, "category_not_supported", category=category
    )


@pytest.mark.parametrize(
    "scopes",
    [["tsp.introspect"], ["partner.affiliate.write"], [], ["partner.creator.read", "openid"]],
)
async def test_only_offered_partner_scopes_may_be_granted(
    client: AsyncClient, factory: Factory, scopes: list[str]
) -> None:
    grantor = await org(factory)
    app = await partner_app(factory, grantor)  # enabled: affiliate.read, creator.read
    request_id, _ = await open_link(client, app)
    await _refused(client, factory, request_id, grantor.admin, 400, "invalid_scope", scopes=scopes)


async def test_a_link_asking_for_a_non_partner_scope_goes_back_invalid_scope(
    client: AsyncClient, factory: Factory
) -> None:
    grantor = await org(factory)
    app = await partner_app(factory, grantor)
    before = await written(factory.app)
    params = link_params(app, pkce_pair()[1], scope="partner.creator.read tsp.introspect")
    response = await client.get("/open/authorize", params=params)
    assert response.status_code == 303
    assert query_of(response.headers["location"])["error"] == "invalid_scope"
    assert await written(factory.app) == before


async def test_a_development_app_refuses_other_partners(
    client: AsyncClient, factory: Factory
) -> None:
    owner = await org(factory)
    app = await partner_app(factory, owner, status="development")
    other = await org(factory)
    request_id, _ = await open_link(client, app)
    await _refused(client, factory, request_id, other.admin, 403, "app_in_development")


async def test_a_member_cannot_authorize(client: AsyncClient, factory: Factory) -> None:
    grantor = await org(factory)
    app = await partner_app(factory, grantor)
    request_id, _ = await open_link(client, app)
    view = await client.get(f"/v1/app-authorization-requests/{request_id}", headers=grantor.member)
    assert (view.status_code, view.json()["can_decide"]) == (200, False)
    await _refused(client, factory, request_id, grantor.member, 403, "partner_admin_required")
    reject = await client.post(
        f"/v1/app-authorization-requests/{request_id}/reject", headers=grantor.member
    )
    assert (reject.status_code, reject.json()["error"]) == (403, "partner_admin_required")


async def test_a_seller_cannot_authorize_or_even_see_it(
    client: AsyncClient, factory: Factory
) -> None:
    grantor = await org(factory)
    app = await partner_app(factory, grantor)
    _, main = await factory.seller()
    seller = await factory.headers(main)
    request_id, _ = await open_link(client, app)
    await _refused(client, factory, request_id, seller, 403, "partner_account_required")
    # The seller consent API does not know partner authorizations.
    view = await client.get(f"/v1/authorization-requests/{request_id}", headers=seller)
    assert view.status_code == 404


async def test_an_app_disabled_meanwhile_is_refused(client: AsyncClient, factory: Factory) -> None:
    grantor = await org(factory)
    app = await partner_app(factory, grantor)
    request_id, _ = await open_link(client, app)
    async with factory.app.state.sessionmaker() as session:
        await session.execute(
            update(Client).where(Client.id == app.client.id).values(status="disabled")
        )
        await session.commit()
    await _refused(client, factory, request_id, grantor.admin, 400, "unauthorized_client")


async def test_a_disabled_app_has_no_link(client: AsyncClient, factory: Factory) -> None:
    grantor = await org(factory)
    app = await partner_app(factory, grantor, status="disabled")
    before = await written(factory.app)
    response = await client.get("/open/authorize", params=link_params(app, pkce_pair()[1]))
    assert response.status_code == 400
    assert "invalid_client" in response.text
    assert await written(factory.app) == before


async def test_unknown_body_fields_are_refused(client: AsyncClient, factory: Factory) -> None:
    grantor = await org(factory)
    app = await partner_app(factory, grantor)
    request_id, _ = await open_link(client, app)
    response = await accept(client, request_id, grantor.admin, items=["x"])
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")
