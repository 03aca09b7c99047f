"""`GET /consent/{id}`: who sees the form, what it offers, and the headers of every page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from httpx import AsyncClient

from tests.consent.helpers import open_link, set_row
from tests.consent_page.helpers import (
    assert_page_headers,
    checked,
    form,
    form_shape,
    open_form,
    service_fields,
    sign_in,
    submit,
)
from tests.factories import Factory
from tsp_auth.clock import now
from tsp_auth.models import AuthorizationRequest


async def test_form_shows_each_service_with_what_policy_allows(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner(region="US")
    requested = await factory.service(partner, markets=("US-L2L",))
    other = await factory.service(partner, markets=("US-L2L",))
    _, main = await factory.seller("US-L2L")
    request_id = await open_link(client, requested.id)
    await sign_in(client, main)

    page, csrf = await open_form(client, request_id)

    assert_page_headers(page)
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "Acme Partners" in html and len(csrf) >= 40
    for service in (requested, other):
        assert f'id="svc-{service.id}"' in html
        # US L2L: the authorized object is a choice of radio buttons (seed 002).
        assert f'type="radio" id="object-{service.id}-shop"' in html
        assert f'id="roles-{service.id}-full_access"' in html
        assert f'id="areas-{service.id}-live"' in html
        assert f'id="item-{service.id}-shop_operation_ticket"' in html
    # Only the link's own service is ticked; nothing else is decided for the seller.
    assert checked(html, f"svc-{requested.id}") and not checked(html, f"svc-{other.id}")
    assert not checked(html, f"item-{requested.id}-seller_center_access")
    assert 'name="duration_days" value="365"' in html
    assert "terms</a>, version 2025-12" in html
    assert 'value="accept"' in html and 'value="reject"' in html


async def test_every_control_has_a_label_and_nothing_is_loaded_from_elsewhere(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    service = await factory.service(partner)
    await factory.service(partner)
    _, main = await factory.seller("UK")
    request_id = await open_link(client, service.id)
    await sign_in(client, main)

    page, _ = await open_form(client, request_id)

    shape = form_shape(page.text)
    assert len(shape.ids) == len(set(shape.ids)), "ids are unique"
    assert shape.controls, "the form has controls"
    for control in shape.controls:
        assert control.get("id") in shape.labels, control
    assert shape.labels <= set(shape.ids)
    assert shape.scripts == 0 and shape.external == []
    assert page.text.count("<fieldset") >= 3 and page.text.count("<legend") >= 3
    assert ":focus-visible" in page.text


@pytest.mark.parametrize(
    ("market", "console", "objects"),
    [("UK", True, False), ("US-CB", False, False), ("JP", False, False)],
)
async def test_items_follow_the_market(
    client: AsyncClient, factory: Factory, market: str, console: bool, objects: bool
) -> None:
    service = await factory.service(await factory.partner(), markets=(market,))
    _, main = await factory.seller(market)
    request_id = await open_link(client, service.id)
    await sign_in(client, main)

    page, _ = await open_form(client, request_id)

    assert (f'id="item-{service.id}-seller_center_access"' in page.text) is console
    assert (f'id="object-{service.id}-shop"' in page.text) is objects
    assert f'id="item-{service.id}-data_compass"' in page.text


async def test_form_action_lists_the_partner_return_origin(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    service = await factory.service(partner, return_url="https://Partner.Example.com:8443/cb?a=1")
    _, main = await factory.seller("UK")
    request_id = await open_link(client, service.id)
    await sign_in(client, main)

    page, _ = await open_form(client, request_id)

    csp = page.headers["content-security-policy"]
    assert "form-action 'self' https://partner.example.com:8443;" in csp
    assert csp.startswith("default-src 'none';")


async def test_no_cookie_or_a_bad_one_goes_to_the_development_sign_in(
    client: AsyncClient, factory: Factory
) -> None:
    service = await factory.service(await factory.partner())
    request_id = await open_link(client, service.id)

    missing = await client.get(f"/consent/{request_id}")
    client.cookies.set("tsp_identity", "not-a-token")
    bad = await client.get(f"/consent/{request_id}")

    for response in (missing, bad):
        assert response.status_code == 303
        assert response.headers["location"] == f"/dev/login?return_to=/consent/{request_id}"
        assert response.headers["cache-control"] == "no-store"


async def test_without_the_development_issuer_sign_in_is_the_platforms_job(
    platform_client: AsyncClient, factory: Factory
) -> None:
    service = await factory.service(await factory.partner())
    request_id = await open_link(platform_client, service.id)

    page = await platform_client.get(f"/consent/{request_id}")

    assert page.status_code == 401
    assert_page_headers(page)
    assert '<code id="error">login_required</code>' in page.text
    assert "the TikTok Shop platform does" in page.text
    assert page.headers["www-authenticate"].startswith("Bearer")


async def test_sub_account_is_told_only_the_main_account_authorizes(
    client: AsyncClient, factory: Factory
) -> None:
    service = await factory.service(await factory.partner())
    seller, _ = await factory.seller("UK")
    sub = await factory.account("seller", "sub", seller_id=seller.id)
    request_id = await open_link(client, service.id)
    await sign_in(client, sub)

    page = await client.get(f"/consent/{request_id}")

    assert page.status_code == 403
    assert_page_headers(page)
    assert "Only the main account can authorize" in page.text
    assert '<code id="error">not_main_account</code>' in page.text
    assert "<form" not in page.text and "Traceback" not in page.text


async def test_partner_account_is_refused(client: AsyncClient, factory: Factory) -> None:
    partner = await factory.partner()
    service = await factory.service(partner)
    admin = await factory.account("partner", "admin", partner_id=partner.id)
    request_id = await open_link(client, service.id)
    await sign_in(client, admin)

    page = await client.get(f"/consent/{request_id}")

    assert page.status_code == 403
    assert '<code id="error">seller_required</code>' in page.text


async def test_expired_request_is_a_410_page(client: AsyncClient, factory: Factory) -> None:
    service = await factory.service(await factory.partner())
    _, main = await factory.seller("UK")
    request_id = await open_link(client, service.id)
    await set_row(
        factory.app, AuthorizationRequest, request_id, expires_at=now() - timedelta(seconds=1)
    )
    await sign_in(client, main)

    page = await client.get(f"/consent/{request_id}")

    assert page.status_code == 410
    assert_page_headers(page)
    assert "This authorization request has expired" in page.text
    assert '<code id="error">request_expired</code>' in page.text


async def test_decided_request_is_a_409_page(client: AsyncClient, factory: Factory) -> None:
    service = await factory.service(await factory.partner())
    _, main = await factory.seller("UK")
    request_id = await open_link(client, service.id)
    await sign_in(client, main)
    _, csrf = await open_form(client, request_id)
    first = await submit(client, request_id, form(csrf, service_fields(service)))
    assert first.status_code == 303, first.text

    again = await client.get(f"/consent/{request_id}")
    posted_again = await submit(client, request_id, form(csrf, service_fields(service)))

    for page in (again, posted_again):
        assert page.status_code == 409
        assert_page_headers(page)
        assert '<code id="error">request_already_decided</code>' in page.text


async def test_unknown_request_is_a_404_page(client: AsyncClient, factory: Factory) -> None:
    _, main = await factory.seller("UK")
    await sign_in(client, main)

    page = await client.get("/consent/azr_doesnotexist")

    assert page.status_code == 404
    assert_page_headers(page)
    assert '<code id="error">not_found</code>' in page.text


async def test_development_index_links_the_demo_flow(
    client: AsyncClient, platform_client: AsyncClient
) -> None:
    page = await client.get("/")
    assert page.status_code == 200
    assert_page_headers(page)
    assert (
        'href="/open/authorize?service_id=svc_demo_row_shop&amp;state=demo-state-123"' in page.text
    )
    assert 'href="/docs"' in page.text
    assert (await platform_client.get("/")).status_code == 404
