"""DPoP proofs (RFC 9449 §4.3) at the token endpoint, and what binds a token to a key.

A proof is a JWT the client signs with the key its tokens are bound to, the public key in its
own header (``jwk``). Checked here, in the order of §4.3: ``typ`` ``dpop+jwt``, an allowed
``alg`` (ES256, PS256, EdDSA: ``dpop_signing_alg_values_supported``), a public ``jwk`` that
verifies the signature, ``htm`` and ``htu`` of this request, ``iat`` within
``TSP_AUTH_DPOP_PROOF_MAX_AGE``, a nonce we issued (§8, when ``TSP_AUTH_DPOP_NONCES``), ``ath``
when an access token is presented with it, and a ``jti`` never seen before with this key
(spent in the database: single use on every process). The answer is the key's RFC 7638
thumbprint, ``jkt``, which the access token carries as ``cnf.jkt`` (§6.1).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.config import Settings
from tsp_auth.crypto import InvalidToken
from tsp_auth.crypto.client_jws import peek, public_key, thumbprint, verify
from tsp_auth.oauth.client_authentication import AuthenticatedClient
from tsp_auth.oauth.dpop_nonces import current_nonce, is_fresh_nonce
from tsp_auth.oauth.errors import InvalidDpopProof, UseDpopNonce
from tsp_auth.oauth.jti_repository import jti_key, spend_jti
from tsp_auth.oauth.metadata import TOKEN_PATH
from tsp_auth.oauth.profiles import client_profile, hold_binding

DPOP_TYP = "dpop+jwt"
FUTURE_LEEWAY = timedelta(seconds=5)
MAX_JTI_LENGTH = 256


def access_token_hash(token: str) -> str:
    """§4.2 ``ath``: base64url of the SHA-256 of the access token's ASCII."""
    digest = hashlib.sha256(token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _normalised(url: str) -> tuple[str, str, int | None, str]:
    """§4.3 9: htu compared without query and fragment (RFC 3986 §6.2.2-3 normalisation)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ("", "", None, "")
    scheme = parts.scheme.lower()
    default = {"https": 443, "http": 80}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port or default, parts.path or "/"


async def check_proof(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    proof: str,
    *,
    method: str,
    url: str,
    at: datetime,
    access_token: str | None = None,
) -> str:
    """The thumbprint of the key that signed a valid proof for this request, else a refusal."""
    try:
        header, _ = peek(proof)
        key = public_key(header.get("jwk"))
        claims = verify(proof, key, typ=DPOP_TYP).claims
    except InvalidToken as exc:
        raise InvalidDpopProof(f"the DPoP proof is refused: {exc.reason}") from None
    issued_at = _check_request(claims, method, url, at, settings.dpop_proof_max_age)
    if access_token is not None and not _same(claims.get("ath"), access_token_hash(access_token)):
        raise InvalidDpopProof("the DPoP proof's ath is not the presented access token's hash")
    if settings.dpop_nonces and not is_fresh_nonce(settings, claims.get("nonce"), at):
        raise UseDpopNonce(current_nonce(settings, at))
    jkt = thumbprint(key)
    expires = issued_at + settings.dpop_proof_max_age + FUTURE_LEEWAY
    if not await spend_jti(sessionmaker, "dpop_proof", jti_key(jkt, claims["jti"]), expires):
        raise InvalidDpopProof("the DPoP proof was used before (jti)")
    return jkt


def _check_request(
    claims: Mapping[str, Any], method: str, url: str, at: datetime, max_age: timedelta
) -> datetime:
    jti = claims.get("jti")
    if not isinstance(jti, str) or not 0 < len(jti) <= MAX_JTI_LENGTH:
        raise InvalidDpopProof("the DPoP proof needs a jti")
    if claims.get("htm") != method:
        raise InvalidDpopProof(f"the DPoP proof's htm must be {method}")
    htu = claims.get("htu")
    if not isinstance(htu, str) or _normalised(htu) != _normalised(url):
        raise InvalidDpopProof(f"the DPoP proof's htu must be {url}")
    iat = claims.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        raise InvalidDpopProof("the DPoP proof needs a numeric iat")
    try:
        issued_at = datetime.fromtimestamp(iat, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise InvalidDpopProof("the DPoP proof's iat is out of range") from None
    if issued_at > at + FUTURE_LEEWAY or issued_at < at - max_age:
        raise InvalidDpopProof("the DPoP proof's iat is too old or in the future")
    return issued_at


def _same(given: object, expected: str) -> bool:
    return isinstance(given, str) and hmac.compare_digest(given, expected)


def binding_required(settings: Settings, client: AuthenticatedClient) -> bool:
    """May this client be refused a bearer token? Cheap: read before any proof is looked at."""
    return (
        client.dpop_bound_access_tokens
        or client.profile is not None
        or settings.require_fapi2_for_live_partner_apps
    )


async def token_binding(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    client: AuthenticatedClient,
    proofs: list[str],
    at: datetime,
) -> str | None:
    """The key a token request binds its tokens to (``jkt``), or None for bearer tokens.

    §5.2: a client registered with ``dpop_bound_access_tokens`` gets no bearer token; nor
    does one whose profile requires DPoP (``fapi2``).
    """
    if not proofs:
        if client.dpop_bound_access_tokens:
            raise InvalidDpopProof("this client's access tokens are DPoP-bound: send a proof")
        hold_binding(client_profile(settings, client), dpop=False)
        return None
    if len(proofs) > 1:
        raise InvalidDpopProof("send one DPoP header")
    url = settings.issuer.rstrip("/") + TOKEN_PATH
    return await check_proof(sessionmaker, settings, proofs[0], method="POST", url=url, at=at)
