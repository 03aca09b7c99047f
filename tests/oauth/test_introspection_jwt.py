"""RFC 9701: a JWT introspection answer for a caller that asks for one (issue 23)."""

from __future__ import annotations

import base64
from typing import Any

from httpx import AsyncClient
from joserfc import jwk, jwt

from tests.factories import Factory
from tests.oauth.helpers import partner_app, tokens
from tsp_auth.config import Settings

JWT_TYPE = "application/token-introspection+jwt"


async def _verified(client: AsyncClient, token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims, verified with an independent library through our JWKS."""
    keys = jwk.KeySet.import_key_set((await client.get("/.well-known/jwks.json")).json())
    decoded = jwt.decode(token, keys, algorithms=["ES256"])
    return dict(decoded.header), dict(decoded.claims)


async def test_a_signed_answer_when_asked_for_one(
    client: AsyncClient, factory: Factory, settings: Settings
) -> None:
    app = await partner_app(factory)
    issued = await tokens(client, app)
    response = await client.post(
        "/oauth/introspect",
        data={"token": issued["access_token"]},
        headers={**app.auth(), "Accept": JWT_TYPE},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == JWT_TYPE
    assert response.headers["cache-control"] == "no-store"
    header, claims = await _verified(client, response.text)
    assert header["typ"] == "token-introspection+jwt"
    assert (claims["iss"], claims["aud"]) == (settings.issuer, app.client_id)
    answer = claims["token_introspection"]
    assert answer["active"] is True and answer["client_id"] == app.client_id
    # §5: the token's own claims stay inside; this is no access token.
    assert "sub" not in claims and "scope" not in claims


async def test_inactive_answers_are_signed_too_and_json_stays_the_default(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    signed = await client.post(
        "/oauth/introspect",
        data={"token": "nothing"},
        headers={**app.auth(), "Accept": f"application/json;q=0.5, {JWT_TYPE}"},
    )
    assert (await _verified(client, signed.text))[1]["token_introspection"] == {"active": False}
    plain = await client.post("/oauth/introspect", data={"token": "nothing"}, headers=app.auth())
    assert plain.headers["content-type"] == "application/json"
    assert plain.json() == {"active": False}


async def test_a_failed_authentication_gets_no_signed_answer(
    client: AsyncClient, factory: Factory
) -> None:
    app = await partner_app(factory)
    wrong = "Basic " + base64.b64encode(f"{app.client_id}:wrong".encode()).decode()
    response = await client.post(
        "/oauth/introspect",
        data={"token": "x"},
        headers={"Authorization": wrong, "Accept": JWT_TYPE},
    )
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")
