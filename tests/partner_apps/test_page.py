"""The built-in page decides a partner app's request (seed 004), through the same service
functions as `/v1/app-authorization-requests/{id}`: the TAP admin sees the app and its
scopes, picks the category, and is sent back to the app with `code` and `state`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import select

from tests.consent_page.helpers import assert_page_headers, csrf_of, sign_in
from tests.factories import Factory
from tests.oauth.helpers import query_of
from tests.partner_apps.helpers import (
    REDIRECT,
    Org,
    PartnerApp,
    open_link,
    org,
    partner_app,
    redeem,
    written,
)
from tsp_auth.models import Account, AuditEvent

ISSUER = "http://127.0.0.1:8000"


@dataclass
class Scene:
    app: PartnerApp
    grantor: Org
    admin: Account
    member: Account


async def _scene(factory: Factory, *, tap: bool = True, status: str = "live") -> Scene:
    owner = await org(factory, region="US")
    app = await partner_app(factory, owner, status=status)
    grantor = await org(factory, tap=tap)
    admin = await factory.account("partner", "admin", partner_id=grantor.partner.id)
    member = await factory.account("partner", "member", partner_id=grantor.partner.id)
    return Scene(app, grantor, admin, member)


async def _denials(factory: Factory, request_id: str) -> list[tuple[str | None, str | None]]:
    async with factory.app.state.sessionmaker() as session:
        events = await session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "app_authorization.accepted", AuditEvent.outcome == "denied"
            )
        )
        return [
            (e.actor_id, e.reason)
            for e in events
            if e.detail.get("authorization_request_id") == request_id
        ]


async def _page(client: AsyncClient, request_id: str) -> Response:
    return await client.get(f"/consent/{request_id}")


async def _post(client: AsyncClient, request_id: str, csrf: str, **fields: Any) -> Response:
    body: dict[str, Any] = {"csrf_token": csrf, **fields}
    return await client.post(f"/consent/{request_id}", data=body)


async def test_the_tap_admin_sees_the_app_and_its_scopes(
    client: AsyncClient, factory: Factory
) -> None:
    scene = await _scene(factory)
    request_id, _ = await open_link(client, scene.app)
    await sign_in(client, scene.admin)

    page = await _page(client, request_id)

    assert page.status_code == 200, page.text
    assert_page_headers(page)
    # The 303 after the submission goes to the app: Chromium applies form-action to it.
    assert "https://app.example.com" in page.headers["content-security-policy"]
    html = page.text
    assert f"Authorize {scene.app.client.name}" in html
    assert "Acme Partners" in html  # the owner, and the partner that authorizes
    assert 'id="scope-partner.affiliate.read"' in html and 'id="scope-partner.creator.read"' in html
    assert "See your affiliate (TAP) collaborations" in html  # words, not only keys
    assert 'id="category-tap"' in html and "Seller and Scalable Creator Match-up" in html
    assert 'id="warning"' in html and "on behalf of" in html
    assert 'value="accept"' in html and 'value="reject"' in html


async def test_authorize_on_the_page_redirects_with_a_code_that_redeems(
    client: AsyncClient, factory: Factory
) -> None:
    scene = await _scene(factory)
    request_id, verifier = await open_link(client, scene.app)
    await sign_in(client, scene.admin)
    csrf = csrf_of((await _page(client, request_id)).text)

    answer = await _post(
        client,
        request_id,
        csrf,
        decision="accept",
        category="tap",
        scopes=["partner.creator.read"],  # narrowed: one of the two offered
    )

    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.startswith(REDIRECT + "?")
    query = query_of(location)
    assert query["state"] == "app-state-1" and query["iss"] == ISSUER
    tokens = await redeem(client, scene.app, query["code"], verifier)
    assert tokens.status_code == 200, tokens.text
    assert tokens.json()["scope"] == "partner.creator.read"
    listed = await client.get("/v1/app-authorizations", headers=scene.grantor.admin)
    (grant,) = listed.json()["items"]
    assert (grant["status"], grant["scopes"]) == ("active", ["partner.creator.read"])
    assert grant["authorized_by"] == scene.admin.id
    again = await _page(client, request_id)
    assert again.status_code == 409 and '<code id="error">request_already_decided</code>' in (
        again.text
    )


async def test_deny_on_the_page_sends_access_denied_and_records_nothing(
    client: AsyncClient, factory: Factory
) -> None:
    scene = await _scene(factory)
    request_id, _ = await open_link(client, scene.app)
    await sign_in(client, scene.admin)
    csrf = csrf_of((await _page(client, request_id)).text)
    before = await written(factory.app)

    answer = await _post(client, request_id, csrf, decision="reject")

    assert answer.status_code == 303, answer.text
    query = query_of(answer.headers["location"])
    assert answer.headers["location"].startswith(REDIRECT + "?")
    assert (query["error"], query["state"]) == ("access_denied", "app-state-1")
    assert "code" not in query
    after = await written(factory.app)
    assert (after.grants, after.codes) == (before.grants, before.codes)
    assert after.pending == before.pending - 1


async def test_form_mistakes_show_the_form_again_and_write_nothing(
    client: AsyncClient, factory: Factory
) -> None:
    scene = await _scene(factory)
    request_id, _ = await open_link(client, scene.app)
    await sign_in(client, scene.admin)
    csrf = csrf_of((await _page(client, request_id)).text)
    before = await written(factory.app)
    cases = {
        "invalid_scope": {"category": "tap"},  # every permission unticked
        "category_not_supported": {"scopes": ["partner.creator.read"]},
    }
    for reason, fields in cases.items():
        page = await _post(client, request_id, csrf, decision="accept", **fields)
        assert page.status_code == 400, reason
        assert f'<code id="reason">{reason}</code>' in page.text, reason
        assert 'role="alert"' in page.text and "Choose" in page.text
    unticked = await _post(client, request_id, csrf, decision="accept", category="tap")
    assert 'id="scope-partner.creator.read" name="scopes"' in unticked.text
    assert 'value="partner.creator.read" checked' not in unticked.text
    oversized = await _post(client, request_id, csrf, decision="accept", category="t" * 41)
    assert oversized.status_code == 400 and '<code id="reason">invalid_request</code>' in (
        oversized.text
    )
    no_button = await _post(client, request_id, csrf, category="tap")
    assert no_button.status_code == 400 and '<code id="reason">invalid_request</code>' in (
        no_button.text
    )
    assert await written(factory.app) == before


async def test_a_member_may_not_decide_on_the_page(client: AsyncClient, factory: Factory) -> None:
    scene = await _scene(factory)
    request_id, _ = await open_link(client, scene.app)
    await sign_in(client, scene.member)

    page = await _page(client, request_id)
    assert page.status_code == 403
    assert '<code id="error">partner_admin_required</code>' in page.text
    assert "<h1>Only your partner&#39;s admin can authorize apps</h1>" in page.text

    # The admin's form posted with the member's cookie: the CSRF token is the member's own.
    await sign_in(client, scene.admin)
    admin_csrf = csrf_of((await _page(client, request_id)).text)
    await sign_in(client, scene.member)
    before = await written(factory.app)
    forged = await _post(client, request_id, admin_csrf, decision="accept", category="tap")
    assert forged.status_code == 403 and "csrf_token_invalid" in forged.text
    assert 'name="csrf_token"' not in page.text  # the refusal page has no form to post
    assert await written(factory.app) == before


async def test_refusals_of_seed_004_are_said_before_and_enforced_after(
    client: AsyncClient, factory: Factory
) -> None:
    """Not TAP-enrolled, or a development app of another partner: the page says why and
    offers only Deny; an Authorize posted anyway is refused and writes nothing."""
    for scene, reason, words in (
        (await _scene(factory, tap=False), "partner_not_tap_enrolled", "not enrolled"),
        (await _scene(factory, status="development"), "app_in_development", "in development"),
    ):
        request_id, _ = await open_link(client, scene.app)
        await sign_in(client, scene.admin)
        page = await _page(client, request_id)
        assert page.status_code == 200, page.text
        assert 'id="blocked"' in page.text and words in page.text, reason
        assert 'value="accept"' not in page.text and 'value="reject"' in page.text
        before = await written(factory.app)

        forced = await _post(
            client, request_id, csrf_of(page.text), decision="accept", category="tap"
        )

        assert forced.status_code == 403, reason
        assert f'<code id="error">{reason}</code>' in forced.text
        assert await written(factory.app) == before
        # The page records the refusal as the JSON API's error handler does.
        assert await _denials(factory, request_id) == [(scene.admin.id, reason)]


async def test_a_seller_opening_an_app_link_is_refused(
    client: AsyncClient, factory: Factory
) -> None:
    scene = await _scene(factory)
    _, main = await factory.seller("UK")
    request_id, _ = await open_link(client, scene.app)
    await sign_in(client, main)

    page = await _page(client, request_id)

    assert page.status_code == 403
    assert '<code id="error">partner_account_required</code>' in page.text
