"""Token requests with DPoP proofs (RFC 9449), nonce round trip included (§8)."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient, Response

from tests.oauth.helpers import App
from tests.oauth.jose_helpers import ISSUER, ClientKey, dpop_proof

TOKEN_URL = f"{ISSUER}/oauth/token"


async def nonce_of(http: AsyncClient, app: App, key: ClientKey) -> str:
    """A server nonce, as a client learns it: a proof without one is answered use_dpop_nonce."""
    response = await http.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": "none", **app.form_auth()},
        headers={**app.auth(), "DPoP": dpop_proof(key, "POST", TOKEN_URL)},
    )
    assert (response.status_code, response.json()["error"]) == (400, "use_dpop_nonce")
    return response.headers["dpop-nonce"]


async def dpop_token_request(
    http: AsyncClient, app: App, key: ClientKey, form: dict[str, Any], **proof: Any
) -> Response:
    nonce = proof.pop("nonce", None) or await nonce_of(http, app, key)
    body = {**app.form_auth(), **{k: v for k, v in form.items() if v is not None}}
    headers = {**app.auth(), "DPoP": dpop_proof(key, "POST", TOKEN_URL, nonce=nonce, **proof)}
    return await http.post("/oauth/token", data=body, headers=headers)
