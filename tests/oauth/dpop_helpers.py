"""Token requests with DPoP proofs (RFC 9449), nonce round trip included (§8)."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient, Response

from tests.oauth.helpers import App
from tests.oauth.jose_helpers import ISSUER, ClientKey, assertion_form, dpop_proof

TOKEN_URL = f"{ISSUER}/oauth/token"


def _auth(app: App, signing: ClientKey | None) -> tuple[dict[str, str], dict[str, str]]:
    """Headers and form fields authenticating ``app``: a fresh assertion when it is keyed."""
    if signing is None:
        return app.auth(), app.form_auth()
    return {}, assertion_form(signing, app.client_id)


async def nonce_of(
    http: AsyncClient, app: App, key: ClientKey, signing: ClientKey | None = None
) -> str:
    """A server nonce, as a client learns it: a proof without one is answered use_dpop_nonce."""
    headers, form = _auth(app, signing)
    response = await http.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": "none", **form},
        headers={**headers, "DPoP": dpop_proof(key, "POST", TOKEN_URL)},
    )
    assert (response.status_code, response.json()["error"]) == (400, "use_dpop_nonce")
    return response.headers["dpop-nonce"]


async def dpop_token_request(
    http: AsyncClient,
    app: App,
    key: ClientKey,
    form: dict[str, Any],
    signing: ClientKey | None = None,
    **proof: Any,
) -> Response:
    """``signing``: a private_key_jwt client's key (each request gets a fresh assertion)."""
    nonce = proof.pop("nonce", None) or await nonce_of(http, app, key, signing)
    headers, auth = _auth(app, signing)
    body = {**auth, **{k: v for k, v in form.items() if v is not None}}
    headers["DPoP"] = dpop_proof(key, "POST", TOKEN_URL, nonce=nonce, **proof)
    return await http.post("/oauth/token", data=body, headers=headers)
