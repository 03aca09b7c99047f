"""The consent page as seeds 001 and 002 show it: the terms linked and readable, the warning,
unticked services collapsed, names and words instead of ids and codes, and error pages in the
same dress as the rest."""

from __future__ import annotations

import re

from httpx import AsyncClient

from tests.consent.helpers import open_link, set_row, snapshot
from tests.consent_page.helpers import (
    TERMS,
    assert_page_headers,
    form,
    open_form,
    service_fields,
    sign_in,
    submit,
)
from tests.factories import Factory
from tsp_auth.models import Service

# seed 001: "once authorization is provided, the TSP can carry out actions on behalf of your
# account, and access all the content and data included in authorised functions and pages"
ON_BEHALF = "can carry out actions on behalf of your account"


def _text(html: str) -> str:
    """What a reader sees: the page without its tags and attributes."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _details(html: str, service_id: str) -> str:
    found = re.search(rf'<details class="items" id="details-{service_id}"[^>]*>', html)
    assert found is not None, service_id
    return found.group(0)


async def test_the_terms_are_linked_and_readable_with_their_version(
    client: AsyncClient, factory: Factory
) -> None:
    service = await factory.service(await factory.partner())
    _, main = await factory.seller("UK")
    request_id = await open_link(client, service.id)
    await sign_in(client, main)
    page, _ = await open_form(client, request_id)
    assert re.search(r'<label for="terms_accepted">I accept the <a href="/terms"', page.text)

    terms = await client.get("/terms")

    assert terms.status_code == 200
    assert terms.headers["content-type"].startswith("text/html")
    assert_page_headers(terms)
    assert f'<strong id="terms-version">{TERMS}</strong>' in terms.text
    assert ON_BEHALF in _text(terms.text)
    assert "Only the main account" in terms.text


async def test_the_page_warns_that_the_partner_acts_on_the_sellers_behalf(
    client: AsyncClient, factory: Factory
) -> None:
    service = await factory.service(await factory.partner())
    _, main = await factory.seller("UK")
    request_id = await open_link(client, service.id)
    await sign_in(client, main)

    page, _ = await open_form(client, request_id)

    warning = re.search(r'<p class="notice" id="warning">(.*?)</p>', page.text, re.S)
    assert warning is not None
    assert ON_BEHALF in _text(warning.group(1)) and "Acme Partners" in warning.group(1)
    # Before the form, so the seller reads it before choosing.
    assert page.text.index('id="warning"') < page.text.index("<form")


async def test_unticked_services_are_collapsed_without_any_script(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    requested = await factory.service(partner)
    other = await factory.service(partner)
    _, main = await factory.seller("UK")
    request_id = await open_link(client, requested.id)
    await sign_in(client, main)

    page, csrf = await open_form(client, request_id)

    assert _details(page.text, requested.id).endswith(" open>")
    assert not _details(page.text, other.id).endswith(" open>")
    assert "<script" not in page.text
    # The service's own tick stays outside the fold: the seller can tick without opening it.
    assert page.text.index(f'id="svc-{other.id}"') < page.text.index(f'id="details-{other.id}"')
    # A refused form opens every service the seller chose something in.
    picks = {f"items:{other.id}": ["data_compass"]}
    body = form(csrf, service_fields(requested), picks, terms=False)
    refused = await submit(client, request_id, body)
    assert refused.status_code == 400
    assert _details(refused.text, other.id).endswith(" open>")


async def test_refusals_name_the_service_and_say_why_in_words(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    service = await factory.service(partner)
    await set_row(factory.app, Service, service.id, name="Shop growth plan")
    _, main = await factory.seller("UK")
    request_id = await open_link(client, service.id)
    await sign_in(client, main)
    _, csrf = await open_form(client, request_id)
    before = await snapshot(factory.app)

    page = await submit(
        client, request_id, form(csrf, service_fields(service, ["seller_center_access"]))
    )

    assert page.status_code == 400
    described = re.search(r'<p id="refusal-description">(.*?)</p>', page.text, re.S)
    assert described is not None
    assert described.group(1) == (
        "Shop growth plan: Seller center access needs at least one permission."
    )
    assert service.id not in described.group(1)
    # The code stays as a reference for support (and in the API), not as the message.
    assert '<small>Reference for support: <code id="reason">roles_required</code>' in page.text
    assert await snapshot(factory.app) == before


async def test_a_link_to_a_service_not_for_this_shop_says_why_in_words(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    await factory.service(partner)
    elsewhere = await factory.service(partner, markets=("DE",))
    await set_row(factory.app, Service, elsewhere.id, name="German growth plan")
    _, main = await factory.seller("UK")
    request_id = await open_link(client, elsewhere.id)
    await sign_in(client, main)

    page, _ = await open_form(client, request_id)

    notice = re.search(r'<p class="notice" id="requested-unavailable">(.*?)</p>', page.text)
    assert notice is not None
    assert notice.group(1) == (
        "German growth plan cannot be authorized for your shop. "
        "This service is not offered in your shop&#39;s market."
    )
    assert "service_not_in_market" not in page.text


async def test_error_pages_wear_the_same_base_template(
    client: AsyncClient, factory: Factory
) -> None:
    seller_page = await client.get("/open/authorize", params={"service_id": "svc_doesnotexist"})
    _, main = await factory.seller("UK")
    await sign_in(client, main)
    consent_page = await client.get("/consent/azr_doesnotexist")

    for page, title in (
        (seller_page, "Authorization link not found"),
        (consent_page, "Authorization request not found"),
    ):
        assert page.status_code == 404
        assert_page_headers(page)
        html = page.text
        assert f"<title>{title} · TikTok Shop Partner authorization</title>" in html
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
        assert "--accent: #0b57d0" in html  # the shared style sheet
        assert f"<h1>{title}</h1>" in html
        assert '<footer>Support reference: <span id="support-reference">' in html
        assert 'Reference for support: <code id="error">' in html
