"""What strict clients tripped over (issue 23): Spring Security's default ``state`` and a
native app's loopback redirect on an ephemeral port (RFC 6749 A.5, RFC 8252 §7.3)."""

from __future__ import annotations

import base64
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
from httpx import AsyncClient

from tests.consent.helpers import get_request, snapshot
from tests.factories import Factory
from tests.oauth.helpers import accept, open_app_link, partner_app, pkce_pair, token_request

LOOPBACK = "http://127.0.0.1/callback"


def spring_state() -> str:
    """Spring Security's DefaultStateGenerator: 32 random bytes, base64url WITH padding."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


async def test_spring_security_default_state_is_accepted_and_echoed_encoded(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    state = spring_state()
    assert state.endswith("=")
    request_id = await open_app_link(client, app, pkce_pair()[1], state=state)
    location = await accept(client, app, request_id)
    # Encoded in the redirect, and decoded it is exactly what the client sent.
    assert "state=" + state.replace("=", "%3D") in urlsplit(location).query
    assert parse_qs(urlsplit(location).query)["state"] == [state]


async def test_any_printable_ascii_state_within_the_bound_is_echoed(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    state = "a b&c=d#e/f?g%h" + "~" * 497  # 512 characters, spaces and delimiters included
    request_id = await open_app_link(client, app, pkce_pair()[1], state=state)
    assert (await get_request(factory.app, request_id)).state == state
    location = await accept(client, app, request_id)
    assert parse_qs(urlsplit(location).query)["state"] == [state]


async def test_a_public_apps_loopback_redirect_on_an_ephemeral_port_completes_the_flow(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory, client_type="public", redirect_uris=(LOOPBACK,))
    ephemeral = "http://127.0.0.1:49321/callback"
    verifier, challenge = pkce_pair()
    request_id = await open_app_link(client, app, challenge, redirect_uri=ephemeral)
    location = await accept(client, app, request_id)
    assert location.startswith(ephemeral + "?")
    code = parse_qs(urlsplit(location).query)["code"][0]
    answer = await token_request(
        client,
        app,
        grant_type="authorization_code",
        code=code,
        redirect_uri=ephemeral,
        code_verifier=verifier,
    )
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize(
    ("client_type", "registered", "requested"),
    [
        # Exact matching for everyone else (RFC 9700 §4.1.3).
        ("confidential", LOOPBACK, "http://127.0.0.1:49321/callback"),
        ("public", "https://app.example.com/callback", "https://app.example.com:8443/callback"),
        # Only the port may differ.
        ("public", LOOPBACK, "http://127.0.0.1:49321/other"),
        ("public", LOOPBACK, "http://127.0.0.1:49321/callback?x=1"),
        ("public", LOOPBACK, "http://[::1]:49321/callback"),
        ("public", LOOPBACK, "https://127.0.0.1:49321/callback"),
        ("public", LOOPBACK, "http://127.0.0.1:49321/call%0Aback"),
    ],
)
async def test_other_redirect_uris_must_match_exactly(
    client: AsyncClient, factory: Factory, client_type: str, registered: str, requested: str
) -> None:
    app = await partner_app(factory, client_type=client_type, redirect_uris=(registered,))
    before = await snapshot(factory.app)
    params = {
        "client_id": app.client_id,
        "redirect_uri": requested,
        "response_type": "code",
        "code_challenge": pkce_pair()[1],
        "code_challenge_method": "S256",
    }
    response = await client.get("/open/authorize", params=params)
    assert response.status_code == 400
    assert "location" not in response.headers  # RFC 9700 §4.11: a page, never a redirect
    assert '<code id="error">invalid_request</code>' in response.text
    assert await snapshot(factory.app) == before
