"""An independent OAuth client (Authlib) completes the flow from the RFC 8414 metadata alone,
and an independent JOSE library (PyJWT) verifies the access token through the JWKS."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client
from httpx import ASGITransport, AsyncClient

from tests.factories import Factory
from tests.oauth.helpers import REDIRECT, accept, partner_app, query_of

METADATA_URL = "http://127.0.0.1:8000/.well-known/oauth-authorization-server"


async def _discover(transport: ASGITransport) -> dict[str, Any]:
    async with AsyncClient(transport=transport) as http:
        response = await http.get(METADATA_URL)
        assert response.status_code == 200
        metadata: dict[str, Any] = response.json()
        return metadata


def _verify_with_pyjwt(token: str, jwks: dict[str, Any], metadata: dict[str, Any]) -> Any:
    header = jwt.get_unverified_header(token)
    assert header["typ"] == "at+jwt"  # RFC 9068 §4: resource servers check the type
    (jwk,) = [k for k in jwks["keys"] if k["kid"] == header["kid"]]
    key = jwt.PyJWK(jwk)
    return jwt.decode(
        token,
        key=key,
        algorithms=[jwk["alg"]],
        audience=metadata["issuer"].rstrip("/") + "/api",
        issuer=metadata["issuer"],
        options={"require": ["exp", "iat", "iss", "aud", "sub", "jti"]},
    )


@pytest.mark.parametrize("client_type", ["confidential", "public"])
async def test_authlib_completes_code_flow_with_pkce_from_metadata_alone(
    client: AsyncClient, factory: Factory, client_type: str
) -> None:
    app = await partner_app(factory, client_type=client_type)
    transport = ASGITransport(app=factory.app)
    metadata = await _discover(transport)
    method = "none" if client_type == "public" else "client_secret_basic"
    assert method in metadata["token_endpoint_auth_methods_supported"]
    assert "S256" in metadata["code_challenge_methods_supported"]
    oauth = AsyncOAuth2Client(
        client_id=app.client_id,
        client_secret=app.secret,
        token_endpoint_auth_method=method,
        revocation_endpoint_auth_method=method,
        redirect_uri=REDIRECT,
        scope="partner.affiliate.read",
        code_challenge_method="S256",
        transport=transport,
    )
    async with oauth:
        verifier = generate_token(64)
        url, state = oauth.create_authorization_url(
            metadata["authorization_endpoint"], code_verifier=verifier
        )
        # The seller's browser follows the link; the consent step is the JSON API.
        async with AsyncClient(transport=transport) as browser:
            link = await browser.get(url)
        assert link.status_code == 303, link.text
        request_id = link.headers["location"].rsplit("/", 1)[-1]
        callback = await accept(client, app, request_id)
        assert query_of(callback)["iss"] == metadata["issuer"]  # RFC 9207 §2.4 client check

        token = await oauth.fetch_token(
            metadata["token_endpoint"],
            authorization_response=callback,
            state=state,
            code_verifier=verifier,
        )
        assert token["token_type"] == "Bearer" and token["scope"] == "partner.affiliate.read"

        async with AsyncClient(transport=transport) as resource_server:
            jwks = (await resource_server.get(metadata["jwks_uri"])).json()
        claims = _verify_with_pyjwt(token["access_token"], jwks, metadata)
        assert (claims["sub"], claims["client_id"]) == (app.seller.id, app.client_id)

        refreshed = await oauth.refresh_token(metadata["token_endpoint"])
        assert refreshed["refresh_token"] != token["refresh_token"]
        _verify_with_pyjwt(refreshed["access_token"], jwks, metadata)

        revoked = await oauth.revoke_token(
            metadata["revocation_endpoint"],
            token=refreshed["refresh_token"],
            token_type_hint="refresh_token",
        )
        assert revoked.status_code == 200
