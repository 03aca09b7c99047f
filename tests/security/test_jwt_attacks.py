"""Crafted JWTs are refused at every endpoint that accepts a token (RFC 8725 §2, §3).

Each attack changes one thing of a genuine token: the algorithm (`none`, HS256 keyed with our
published public key as PEM or JWK JSON), the key (`kid` unknown or missing, a foreign ES256 key
claiming our `kid`), a required claim (`exp`, `aud`, `iss`), the explicit type (RFC 8725
§3.11), or the token kind altogether. The control — the same header and claims re-signed with
our key — passes, so every refusal is caused by the one change. The unit tests of the codec
(tests/crypto/test_crypto_jwt.py) prove the same at the function level; these prove it on
the wire, where a route could have bypassed the codec.
"""

from __future__ import annotations

from httpx import AsyncClient

from tests.factories import Factory
from tests.security.conftest import Genuine
from tests.security.helpers import (
    es256_attacks,
    hs256,
    identity_attacks,
    parts,
    published_jwk,
    resigned,
    server_private_key,
)
from tsp_auth.identity.callers import IDENTITY_COOKIE


async def _introspect(client: AsyncClient, genuine: Genuine, token: str) -> dict[str, object]:
    response = await client.post(
        "/oauth/introspect", data={"token": token}, headers=genuine.introspector
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def test_crafted_access_tokens_are_inactive_at_introspection_rfc8725_rfc7662(
    client: AsyncClient, factory: Factory, genuine: Genuine
) -> None:
    attacks = await es256_attacks(
        factory.app,
        client,
        genuine.access_token,
        other_kinds={"identity_token": genuine.identity_token},
    )
    accepted = [
        a.name for a in attacks if await _introspect(client, genuine, a.token) != {"active": False}
    ]
    assert accepted == []
    control = await _introspect(client, genuine, resigned(factory.app, genuine.access_token))
    assert control["active"] is True and control["client_id"] == genuine.app.client_id


async def test_crafted_login_tokens_are_inactive_at_introspection_rfc8725(
    client: AsyncClient, factory: Factory, genuine: Genuine
) -> None:
    attacks = await es256_attacks(factory.app, client, genuine.login_token, other_kinds={})
    accepted = [
        a.name for a in attacks if await _introspect(client, genuine, a.token) != {"active": False}
    ]
    assert accepted == []
    control = await _introspect(client, genuine, resigned(factory.app, genuine.login_token))
    assert control["active"] is True and control["act"]


async def test_an_access_or_identity_token_never_introspects_as_a_login_token_rfc8725_3_11(
    client: AsyncClient, genuine: Genuine
) -> None:
    """A privileged introspector sees each kind as what it is, never as another kind."""
    access = await _introspect(client, genuine, genuine.access_token)
    assert access["active"] is True and "act" not in access
    assert access["client_id"] == genuine.app.client_id
    login = await _introspect(client, genuine, genuine.login_token)
    assert login["active"] is True and "client_id" not in login and "scope" not in login
    assert await _introspect(client, genuine, genuine.identity_token) == {"active": False}


async def test_crafted_login_tokens_are_refused_by_console_sessions_rfc8725(
    client: AsyncClient, factory: Factory, genuine: Genuine
) -> None:
    attacks = await es256_attacks(
        factory.app,
        client,
        genuine.login_token,
        other_kinds={
            "access_token": genuine.access_token,
            "identity_token": genuine.identity_token,
            "session_token": genuine.session_token,
            "refresh_token": genuine.refresh_token,
        },
    )
    accepted = []
    for attack in attacks:
        response = await client.post("/v1/tsp-access/sessions", json={"login_token": attack.token})
        refused = response.status_code == 400 and response.json()["error"] in (
            "invalid_login_token",
            "login_token_expired",
        )
        if not refused:
            accepted.append((attack.name, response.status_code))
    assert accepted == []
    control = await client.post(
        "/v1/tsp-access/sessions",
        json={"login_token": resigned(factory.app, genuine.login_token), "browser_profile": "c1"},
    )
    assert control.status_code == 201, control.text


async def test_crafted_identity_tokens_are_refused_as_bearer_rfc8725(
    client: AsyncClient, factory: Factory, genuine: Genuine
) -> None:
    header, _ = parts(genuine.access_token)
    jwk = await published_jwk(client, header["kid"])
    secret = factory.app.state.settings.id_token_secret.get_secret_value()
    attacks = identity_attacks(genuine.identity_token, secret, jwk, server_private_key(factory.app))
    others = {"access_token": genuine.access_token, "login_token": genuine.login_token}
    accepted = []
    for name, token in [(a.name, a.token) for a in attacks] + list(others.items()):
        response = await client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
        if (response.status_code, response.json().get("error")) != (401, "invalid_token"):
            accepted.append((name, response.status_code))
    assert accepted == []
    identity_header, claims = parts(genuine.identity_token)
    control = hs256(identity_header, claims, secret.encode())
    response = await client.get("/v1/me", headers={"Authorization": f"Bearer {control}"})
    assert response.status_code == 200
    assert response.json()["account_id"] == genuine.world.admin.id


async def test_crafted_identity_cookies_do_not_sign_in_to_the_consent_page_rfc8725(
    client: AsyncClient, factory: Factory, genuine: Genuine
) -> None:
    """The consent page reads the same identity token from a cookie: a forged one is no
    sign-in (the page sends the browser to sign in, it never shows the form)."""
    header, _ = parts(genuine.access_token)
    jwk = await published_jwk(client, header["kid"])
    secret = factory.app.state.settings.id_token_secret.get_secret_value()
    attacks = identity_attacks(genuine.identity_token, secret, jwk, server_private_key(factory.app))
    signed_in = []
    for attack in attacks:
        client.cookies.set(IDENTITY_COOKIE, attack.token)
        response = await client.get("/consent/azr_0000000000000000")
        client.cookies.clear()
        if response.status_code != 303 or not response.headers["location"].startswith(
            "/dev/login?"
        ):
            signed_in.append((attack.name, response.status_code))
    assert signed_in == []


async def test_no_jwt_is_a_console_session_at_decisions_or_logout(
    client: AsyncClient, factory: Factory, genuine: Genuine
) -> None:
    """The decision API takes opaque session tokens only: every JWT — genuine login, access
    and identity tokens, and each crafted login token — is `invalid_session`."""
    attacks = await es256_attacks(factory.app, client, genuine.login_token, other_kinds={})
    candidates = [a.token for a in attacks] + [
        genuine.login_token,
        genuine.access_token,
        genuine.identity_token,
        resigned(factory.app, genuine.login_token),
    ]
    seller = genuine.world.seller.id
    for token in candidates:
        answer = await client.post(
            "/v1/decisions",
            json={"token": token, "action": "seller_center.orders", "shop_id": seller},
        )
        assert answer.status_code == 200, answer.text
        assert (answer.json()["allow"], answer.json()["reason"]) == (False, "invalid_session")
        logout = await client.delete(
            "/v1/tsp-access/sessions/current", headers={"Authorization": f"Bearer {token}"}
        )
        assert (logout.status_code, logout.json()["error"]) == (401, "invalid_session")
    # The genuine session token is what decides (the control).
    allowed = await client.post(
        "/v1/decisions",
        json={"token": genuine.session_token, "action": "seller_center.orders", "shop_id": seller},
    )
    assert allowed.json()["allow"] is True
