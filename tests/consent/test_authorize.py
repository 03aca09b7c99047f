"""`GET /open/authorize`: validate the link, store a request, 303 to the consent page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from httpx import AsyncClient

from tests.consent.helpers import get_request, open_link, snapshot
from tests.factories import Factory
from tsp_auth.clock import now


async def test_link_stores_a_pending_request_and_redirects_to_the_consent_page(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    service = await factory.service(partner)
    before = now()
    request_id = await open_link(client, service.id, state="abc-DEF_1.2~3", purpose="tsp_access")
    stored = await get_request(factory.app, request_id)
    assert stored.status == "pending"
    assert (stored.service_id, stored.partner_id) == (service.id, partner.id)
    assert (stored.state, stored.purpose) == ("abc-DEF_1.2~3", "tsp_access")
    ttl = factory.app.state.settings.authorization_request_ttl
    assert before + ttl <= stored.expires_at <= now() + ttl
    assert stored.decided_by is None and stored.client_id is None


async def test_missing_state_is_stored_as_null_and_purpose_defaults(
    client: AsyncClient, factory: Factory
) -> None:
    service = await factory.service(await factory.partner())
    stored = await get_request(factory.app, await open_link(client, service.id, state=None))
    assert stored.state is None and stored.purpose == "authorize"


async def test_unknown_parameters_are_ignored(client: AsyncClient, factory: Factory) -> None:
    service = await factory.service(await factory.partner())
    response = await client.get(
        "/open/authorize",
        params={"service_id": service.id, "state": "s", "utm_source": "mail"},
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/consent/azr_")


async def test_a_redirect_uri_of_an_unknown_client_is_never_followed(
    client: AsyncClient, factory: Factory
) -> None:
    service = await factory.service(await factory.partner())
    response = await client.get(
        "/open/authorize",
        params={
            "service_id": service.id,
            "state": "s",
            "redirect_uri": "https://evil.example.com/steal",
            "client_id": "someone",
            "response_type": "code",
        },
    )
    assert response.status_code == 400
    assert "location" not in response.headers
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("query", "status", "error"),
    [
        ("service_id=svc_doesnotexist", 404, "unknown_service"),
        ("", 400, "invalid_request"),
        ("service_id=", 400, "invalid_request"),
        ("service_id=%3Cscript%3E", 400, "invalid_request"),
        ("service_id=" + "a" * 41, 400, "invalid_request"),
        ("service_id={svc}&state=" + "s" * 513, 400, "invalid_state"),
        ("service_id={svc}&state=has%0Anewline", 400, "invalid_state"),
        ("service_id={svc}&state=non-ascii-%C3%A9", 400, "invalid_state"),
        ("service_id={svc}&state=a&state=b", 400, "invalid_request"),
        ("service_id={svc}&service_id={svc}", 400, "invalid_request"),
        ("service_id={svc}&purpose=admin", 400, "invalid_request"),
    ],
)
async def test_bad_links_get_an_html_error_page_never_a_redirect(
    client: AsyncClient, factory: Factory, query: str, status: int, error: str
) -> None:
    service = await factory.service(await factory.partner())
    before = await snapshot(factory.app)
    response = await client.get(
        "/open/authorize?"
        + query.format(svc=service.id)
        + "&redirect_uri=https%3A%2F%2Fevil.example.com"
    )
    assert response.status_code == status
    assert "location" not in response.headers  # RFC 9700 §4.11: no open redirect
    assert response.headers["content-type"].startswith("text/html")
    assert f'<code id="error">{error}</code>' in response.text
    assert "<script>" not in response.text
    assert await snapshot(factory.app) == before


async def test_state_of_512_url_safe_characters_is_accepted(
    client: AsyncClient, factory: Factory
) -> None:
    service = await factory.service(await factory.partner())
    state = "A-z0_9.~" * 64
    stored = await get_request(factory.app, await open_link(client, service.id, state=state))
    assert stored.state == state and len(state) == 512


async def test_link_to_an_invalid_service_is_refused_on_a_page(
    client: AsyncClient, factory: Factory
) -> None:
    service = await factory.service(await factory.partner(), valid=False)
    before = await snapshot(factory.app)
    response = await client.get("/open/authorize", params={"service_id": service.id})
    assert response.status_code == 400
    assert '<code id="error">service_not_valid</code>' in response.text
    assert await snapshot(factory.app) == before


async def test_each_visit_makes_its_own_request(client: AsyncClient, factory: Factory) -> None:
    service = await factory.service(await factory.partner())
    first = await open_link(client, service.id)
    second = await open_link(client, service.id)
    assert first != second
    stored = await get_request(factory.app, second)
    assert stored.expires_at - stored.created_at == timedelta(minutes=15)
