"""Response headers that keep credentials out of frames, referrers and caches.

Consent pages: RFC 6749 §10.13 / RFC 9700 §4.16 (clickjacking: `frame-ancestors 'none'`,
`X-Frame-Options: DENY`) and RFC 9700 §4.2 (no `Referer` leaks: `no-referrer`). Token,
introspection and revocation answers: RFC 6749 §5.1 `Cache-Control: no-store`, errors included.
"""

from __future__ import annotations

import base64

from httpx import AsyncClient, Response

from tests.consent.helpers import open_link
from tests.consent_page.helpers import open_form, sign_in
from tests.factories import Factory
from tests.oauth.helpers import obtain_code, partner_app, redeem, token_request


def _assert_unframeable(response: Response) -> None:
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp, response.url
    assert response.headers["x-frame-options"] == "DENY", response.url
    assert response.headers["referrer-policy"] == "no-referrer", response.url
    assert response.headers["cache-control"] == "no-store", response.url


async def test_consent_pages_cannot_be_framed_and_send_no_referrer_rfc9700_4_16_4_2(
    client: AsyncClient, factory: Factory
) -> None:
    partner = await factory.partner()
    service = await factory.service(partner)
    seller, main = await factory.seller()
    sub = await factory.account("seller", "sub", seller_id=seller.id)
    request_id = await open_link(client, service.id)
    answers = [
        await client.get(f"/consent/{request_id}"),  # 303 to sign in
        await client.get("/open/authorize?service_id=svc_unknown"),  # link error page
        await client.get("/open/authorize"),
    ]
    await sign_in(client, sub)
    answers.append(await client.get(f"/consent/{request_id}"))  # 403 page
    await sign_in(client, main)
    form_page, _ = await open_form(client, request_id)
    answers.append(form_page)
    answers.append(await client.get("/consent/azr_unknown"))  # 404 page
    answers.append(await client.post(f"/consent/{request_id}", data={"decision": "accept"}))
    assert {a.status_code for a in answers} >= {200, 303, 400, 403, 404}
    for answer in answers:
        _assert_unframeable(answer)


def _assert_no_store(response: Response) -> None:
    assert response.headers.get("cache-control") == "no-store", (response.url, response.text)
    assert response.headers.get("pragma") == "no-cache", response.url


async def test_token_endpoint_answers_are_never_cached_even_errors_rfc6749_5_1(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    code, verifier = await obtain_code(client, app)
    issued = await redeem(client, app, code, verifier)
    refreshed = await token_request(
        client, app, grant_type="refresh_token", refresh_token=issued.json()["refresh_token"]
    )
    first_party, secret = await factory.oauth_client(
        client_type="first_party", scopes=("tsp.introspect",), redirect_uris=()
    )
    basic = base64.b64encode(f"{first_party.id}:{secret}".encode()).decode()
    answers = {
        "code": issued,
        "refresh": refreshed,
        "client_credentials": await client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {basic}"},
        ),
        "replayed_code": await redeem(client, app, code, verifier),
        "invalid_client": await token_request(
            client, app, headers={"Authorization": "Basic eDp5"}, grant_type="client_credentials"
        ),
        "unsupported_grant_type": await token_request(client, app, grant_type="password"),
        "missing_grant_type": await token_request(client, app),
        "invalid_scope": await token_request(
            client,
            app,
            grant_type="refresh_token",
            refresh_token=refreshed.json()["refresh_token"],
            scope="partner.affiliate.write",
        ),
        "json_body": await client.post(
            "/oauth/token", json={"grant_type": "client_credentials"}, headers=app.auth()
        ),
        "repeated_parameter": await client.post(
            "/oauth/token",
            content=b"grant_type=password&grant_type=password",
            headers={"content-type": "application/x-www-form-urlencoded", **app.auth()},
        ),
    }
    assert [answers[k].status_code for k in ("code", "refresh", "client_credentials")] == [200] * 3
    assert answers["invalid_client"].status_code == 401
    for answer in answers.values():
        _assert_no_store(answer)


async def test_introspection_and_revocation_answers_are_never_cached_rfc6749_5_1(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    other = await partner_app(factory)
    code, verifier = await obtain_code(client, app)
    issued = (await redeem(client, app, code, verifier)).json()
    answers = []
    for path in ("/oauth/introspect", "/oauth/revoke"):
        answers += [
            await client.post(path, data={"token": issued["access_token"]}, headers=app.auth()),
            await client.post(path, data={"token": "junk"}, headers=app.auth()),
            await client.post(path, data={"token": issued["access_token"]}),  # 401
            await client.post(path, json={"token": "x"}, headers=app.auth()),  # 400
            await client.post(path, data={"token": issued["refresh_token"]}, headers=other.auth()),
        ]
    assert {a.status_code for a in answers} >= {200, 400, 401}
    for answer in answers:
        _assert_no_store(answer)
