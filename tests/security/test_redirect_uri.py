"""RFC 9700 §4.1.3 / §2.1: the redirect URI is compared with the registered ones by simple
string comparison, and a mismatch is an error page on our side, never a redirect (§4.11.2)."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.factories import Factory
from tests.oauth.helpers import REDIRECT, link_params, partner_app, pkce_pair
from tests.security.helpers import assert_not_redirected_away

# Registered: https://app.example.com/callback. Every one of these differs from it.
NEAR_MISSES = {
    "trailing_slash": REDIRECT + "/",
    "case_in_path": "https://app.example.com/Callback",
    "case_in_host": "https://APP.example.com/callback",
    "extra_path": REDIRECT + "/extra",
    "dot_segments": REDIRECT + "/../evil",
    "encoded_path": "https://app.example.com/%63allback",
    "other_port": "https://app.example.com:8443/callback",
    "explicit_default_port": "https://app.example.com:443/callback",
    "added_query": REDIRECT + "?next=https://evil.example",
    "empty_query": REDIRECT + "?",
    "userinfo_attacker_host": "https://app.example.com@evil.example/callback",
    "userinfo": "https://user:pw@app.example.com/callback",
    "fragment": REDIRECT + "#frag",
    "empty_fragment": REDIRECT + "#",
    "http_scheme": "http://app.example.com/callback",
    "host_suffix": "https://app.example.com.evil.example/callback",
    "other_host": "https://evil.example/callback",
    "leading_space": " " + REDIRECT,
    "trailing_space": REDIRECT + " ",
    "backslash": "https://app.example.com\\@evil.example/callback",
    "protocol_relative": "//evil.example/callback",
}


@pytest.mark.parametrize("variant", sorted(NEAR_MISSES))
async def test_redirect_uri_must_match_exactly_rfc9700_4_1(
    client: AsyncClient, factory: Factory, variant: str
) -> None:
    app = await partner_app(factory)
    params = link_params(app, pkce_pair()[1], redirect_uri=NEAR_MISSES[variant])
    response = await client.get("/open/authorize", params=params)
    assert response.status_code == 400
    assert "location" not in response.headers
    assert response.headers["content-type"].startswith("text/html")
    assert '<code id="error">invalid_request</code>' in response.text
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_a_wrong_redirect_uri_is_a_page_even_with_other_errors_rfc9700_4_11(
    client: AsyncClient, factory: Factory
) -> None:
    """The redirect URI is checked before anything that would be sent back to it, so a wrong
    URI combined with a redirect-worthy error (implicit grant, plain PKCE, bad scope, an app in
    development) still never leaves our host."""
    app = await partner_app(factory, status="development")
    for broken in (
        {"response_type": "token"},
        {"code_challenge_method": "plain"},
        {"scope": "tsp.introspect"},
        {},
    ):
        params = link_params(app, None, redirect_uri="https://evil.example/cb", **broken)
        response = await client.get("/open/authorize", params=params)
        assert response.status_code == 400, broken
        assert_not_redirected_away(response)


async def test_a_registered_query_is_part_of_the_exact_match_rfc9700_4_1(
    client: AsyncClient, factory: Factory
) -> None:
    registered = "https://app.example.com/cb?tenant=1&region=eu"
    app = await partner_app(factory, redirect_uris=(registered,))
    for variant in (
        "https://app.example.com/cb",
        "https://app.example.com/cb?region=eu&tenant=1",
        "https://app.example.com/cb?tenant=1",
        registered + "&x=1",
    ):
        params = link_params(app, pkce_pair()[1], redirect_uri=variant)
        response = await client.get("/open/authorize", params=params)
        assert response.status_code == 400, variant
        assert "location" not in response.headers
    exact = await client.get(
        "/open/authorize", params=link_params(app, pkce_pair()[1], redirect_uri=registered)
    )
    assert exact.status_code == 303
    assert exact.headers["location"].startswith("/consent/")


async def test_redirect_uris_with_fragment_or_userinfo_cannot_be_registered_rfc6749_3_1_2(
    client: AsyncClient, factory: Factory
) -> None:
    """What cannot be registered cannot be matched: the registration refuses the URIs whose
    meaning differs between parsers (userinfo) or that RFC 6749 §3.1.2 forbids (fragment)."""
    partner = await factory.partner()
    admin = await factory.account("partner", "admin", partner_id=partner.id)
    headers = await factory.headers(admin)
    for uri in (
        REDIRECT + "#frag",
        "https://user@app.example.com/callback",
        "https://app.example.com@evil.example/callback",
        "http://app.example.com/callback",
        "javascript:alert(1)",
        "/relative/callback",
        "https://app.example.com/call back",
    ):
        response = await factory.client.post(
            "/v1/clients",
            json={
                "name": "app",
                "client_type": "confidential",
                "redirect_uris": [uri],
                "scopes": ["partner.affiliate.read"],
            },
            headers=headers,
        )
        assert response.status_code == 400, uri
        assert response.json()["error"] == "invalid_redirect_uri", uri
