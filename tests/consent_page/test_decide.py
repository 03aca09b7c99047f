"""Accept and reject through the form: 303 to where the JSON API would send the seller."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from httpx import AsyncClient
from sqlalchemy import select

from tests.consent.helpers import get_request, grants_of, open_link, snapshot
from tests.consent_page.helpers import (
    assert_page_headers,
    checked,
    form,
    open_form,
    service_fields,
    sign_in,
    submit,
)
from tests.factories import Factory
from tsp_auth.identity.callers import IDENTITY_COOKIE
from tsp_auth.models import AuditEvent
from tsp_auth.web.csrf import csrf_token


async def test_accept_two_services_redirects_to_the_return_url_with_the_state(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner(region="US")
    requested = await factory.service(partner, markets=("US-L2L",))
    extra = await factory.service(partner, markets=("US-L2L",))
    seller, main = await factory.seller("US-L2L")
    request_id = await open_link(client, requested.id, state="xyz-123")
    await sign_in(client, main)
    _, csrf = await open_form(client, request_id)
    body = form(
        csrf,
        service_fields(
            requested,
            ["authorized_object", "seller_center_access", "data_compass"],
            roles=["products", "affiliate_center"],
            areas=["live", "marketing"],
            authorized_object="shop",
        ),
        service_fields(extra, ["shop_operation_ticket"]),
        duration="180",
    )

    response = await submit(client, request_id, body, origin="http://127.0.0.1:8000")

    assert response.status_code == 303, response.text
    assert response.headers["location"] == "https://partner.example.com/callback?state=xyz-123"
    assert response.headers["cache-control"] == "no-store"
    grants = {g.service_id: g for g in await grants_of(factory.app, seller.id)}
    assert set(grants) == {requested.id, extra.id}
    grant = grants[requested.id]
    assert grant.items == {"authorized_object", "seller_center_access", "data_compass"}
    assert grant.roles == {"products", "affiliate_center"}
    assert grant.areas == {"live", "marketing"} and grant.authorized_object == "shop"
    assert (grant.duration_days, grant.contact_email) == (180, "owner@shop.example.com")
    assert (grant.terms_version, grant.consented_by) == ("2025-12", main.id)
    assert grants[extra.id].items == {"shop_operation_ticket"}
    assert (await get_request(factory.app, request_id)).status == "accepted"


async def test_reject_redirects_with_access_denied_and_the_state(
    client: AsyncClient, factory: Factory
) -> None:
    service = await factory.service(await factory.partner())
    seller, main = await factory.seller("UK")
    request_id = await open_link(client, service.id, state="st-no")
    await sign_in(client, main)
    _, csrf = await open_form(client, request_id)

    # A browser posts only the token and the button: Reject skips the form's validation.
    response = await submit(client, request_id, {"csrf_token": csrf, "decision": "reject"})

    assert response.status_code == 303, response.text
    location = urlsplit(response.headers["location"])
    assert (location.scheme, location.netloc, location.path) == (
        "https",
        "partner.example.com",
        "/callback",
    )
    assert parse_qsl(location.query) == [("error", "access_denied"), ("state", "st-no")]
    assert await grants_of(factory.app, seller.id) == []
    assert (await get_request(factory.app, request_id)).status == "rejected"


async def test_policy_refusal_shows_the_form_again_with_the_reason_and_the_picks(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    service = await factory.service(partner)
    other = await factory.service(partner)
    _, main = await factory.seller("UK")
    request_id = await open_link(client, service.id)
    await sign_in(client, main)
    _, csrf = await open_form(client, request_id)
    before = await snapshot(factory.app)
    # Seller center access ticked without a single permission (seed 001).
    body = form(
        csrf,
        service_fields(service, ["seller_center_access", "data_compass"], areas=["video"]),
        service_fields(other, ["shop_operation_ticket"]),
        duration="30",
        email="me@shop.example.com",
    )

    page = await submit(client, request_id, body)

    assert page.status_code == 400
    assert_page_headers(page)
    assert '<code id="reason">roles_required</code>' in page.text
    assert 'role="alert"' in page.text
    html = page.text
    for control in (
        f"svc-{service.id}",
        f"svc-{other.id}",
        f"item-{service.id}-seller_center_access",
        f"areas-{service.id}-video",
        f"item-{other.id}-shop_operation_ticket",
        "duration-30",
        "terms_accepted",
    ):
        assert checked(html, control), control
    assert not checked(html, f"areas-{service.id}-live")
    assert 'value="me@shop.example.com"' in html
    assert await snapshot(factory.app) == before
    # The same page, corrected, goes through.
    fixed = form(
        csrf,
        service_fields(service, ["seller_center_access"], roles=["full_access"]),
        duration="30",
    )
    assert (await submit(client, request_id, fixed)).status_code == 303


async def test_form_mistakes_are_shown_with_their_reason(
    client: AsyncClient, factory: Factory
) -> None:
    service = await factory.service(await factory.partner())
    _, main = await factory.seller("UK")
    request_id = await open_link(client, service.id)
    await sign_in(client, main)
    _, csrf = await open_form(client, request_id)
    before = await snapshot(factory.app)
    cases = {
        "terms_not_accepted": form(csrf, service_fields(service), terms=False),
        "invalid_request": form(csrf),  # no service ticked
        "unknown_duration": form(csrf, service_fields(service), duration="7"),
    }
    for reason, body in cases.items():
        page = await submit(client, request_id, body)
        assert page.status_code == 400, reason
        assert f'<code id="reason">{reason}</code>' in page.text, reason
    bad_email = await submit(client, request_id, form(csrf, service_fields(service), email="x"))
    assert bad_email.status_code == 400 and "contact_email" in bad_email.text
    no_button = await submit(client, request_id, {"csrf_token": csrf})
    assert no_button.status_code == 400
    assert await snapshot(factory.app) == before


async def test_sub_account_cannot_decide_even_with_a_valid_token(
    client: AsyncClient, factory: Factory
) -> None:
    service = await factory.service(await factory.partner())
    seller, _ = await factory.seller("UK")
    sub = await factory.account("seller", "sub", seller_id=seller.id)
    request_id = await open_link(client, service.id)
    await sign_in(client, sub)
    # The sub-account's page has no form; forge the token its session would carry.
    secret = factory.app.state.settings.id_token_secret.get_secret_value()
    cookie = client.cookies[IDENTITY_COOKIE]
    token = csrf_token(secret, request_id=request_id, account_id=sub.id, identity_token=cookie)
    before = await snapshot(factory.app)

    for decision in ("accept", "reject"):
        page = await submit(
            client, request_id, form(token, service_fields(service), decision=decision)
        )
        assert page.status_code == 403
        assert '<code id="error">not_main_account</code>' in page.text
    assert await snapshot(factory.app) == before
    async with factory.app.state.sessionmaker() as session:
        refusals = (
            await session.scalars(
                select(AuditEvent).where(
                    AuditEvent.outcome == "denied", AuditEvent.actor_id == sub.id
                )
            )
        ).all()
    assert [e.reason for e in refusals] == ["not_main_account", "not_main_account"]
    assert {e.seller_id for e in refusals} == {seller.id}


async def test_service_without_return_url_ends_on_the_done_page(
    client: AsyncClient, factory: Factory
) -> None:
    service = await factory.service(await factory.partner(), return_url=None)
    _, main = await factory.seller("UK")
    request_id = await open_link(client, service.id)
    await sign_in(client, main)
    _, csrf = await open_form(client, request_id)
    pending = await client.get(f"/consent/{request_id}/done")
    assert pending.status_code == 303
    assert pending.headers["location"] == f"/consent/{request_id}"

    response = await submit(client, request_id, form(csrf, service_fields(service)))

    assert response.status_code == 303
    assert response.headers["location"] == f"/consent/{request_id}/done"
    done = await client.get(f"/consent/{request_id}/done")
    assert done.status_code == 200
    assert_page_headers(done)
    assert 'data-status="accepted"' in done.text and "Acme Partners" in done.text
    # Another seller's account does not learn how this request was decided.
    _, stranger = await factory.seller("UK")
    await sign_in(client, stranger)
    assert (await client.get(f"/consent/{request_id}/done")).status_code == 404
