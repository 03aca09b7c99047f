"""JWS signed by clients with their own keys: client assertions (RFC 7523) and DPoP proofs
(RFC 9449), verified with joserfc.

Our own tokens stay on python-jose (``crypto.jwt``). A client's keys are another matter: FAPI
2.0 clients sign with ES256, PS256 or EdDSA, python-jose has no EdDSA (Ed25519), and DPoP needs
RFC 7638 thumbprints of keys we did not make; joserfc (maintained, typed, RFC 7515-7518,
7638, 8037) does both. The same rules as ``crypto.jwt`` hold: the algorithm from a fixed
allow-list, the key chosen by us (by ``kid`` in the client's registered set, or the proof's
own public ``jwk``), never a ``jku``/``x5u`` URL, no JWE, no ``crit``. No I/O, no clock.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from joserfc import jwk, jws
from joserfc.errors import JoseError, SecurityWarning

from tsp_auth.crypto.errors import InvalidToken
from tsp_auth.crypto.jwt import json_object, split_token

# FAPI 2.0 Security Profile §5.4: PS256, ES256 or EdDSA (Ed25519).
CLIENT_ALGORITHMS: tuple[str, ...] = ("ES256", "PS256", "EdDSA")
_KEY_TYPES = {"ES256": "EC", "PS256": "RSA", "EdDSA": "OKP"}

ClientKey = jwk.Key
# joserfc refuses headers over 512 bytes by default; a DPoP proof carries its public key in
# the header, and an RSA key's alone is about 400 (2048 bits) to 750 (4096 bits) bytes.
_REGISTRY = jws.JWSRegistry(algorithms=list(CLIENT_ALGORITHMS), strict_check_header=False)
_REGISTRY.max_header_length = 2048


@dataclass(frozen=True, slots=True)
class SignedByClient:
    """A JWS whose signature checked out with the client's key: header and claims."""

    header: dict[str, Any]
    claims: dict[str, Any]


def peek(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims before any verification: to choose the client and its key only."""
    header, payload = split_token(token)
    return header, json_object(payload)


def public_key(value: object) -> ClientKey:
    """A client's public JWK; a private key, a symmetric key or a curve we do not take is
    refused (RFC 9449 §4.2: "MUST NOT contain a private key")."""
    if (
        not isinstance(value, Mapping)
        or "d" in value
        or value.get("kty") not in ("EC", "RSA", "OKP")
    ):
        raise InvalidToken("malformed")
    if value.get("kty") == "OKP" and value.get("crv") != "Ed25519":
        raise InvalidToken("malformed")
    if value.get("kty") == "EC" and value.get("crv") != "P-256":
        raise InvalidToken("malformed")
    try:
        return jwk.import_key(dict(value))
    except (JoseError, ValueError, TypeError):
        raise InvalidToken("malformed") from None


def thumbprint(key: ClientKey) -> str:
    """RFC 7638 SHA-256 thumbprint, base64url: DPoP's ``jkt`` (RFC 9449 §6.1)."""
    return str(key.thumbprint())


def key_for(header: Mapping[str, Any], keys: Mapping[str, Any]) -> ClientKey | None:
    """The registered key that may have signed: by ``kid``, or the only key of the
    algorithm's type when the header names none; None when there is no such key."""
    alg, kid = header.get("alg"), header.get("kid")
    listed = keys.get("keys")
    if not isinstance(listed, list) or alg not in _KEY_TYPES:
        return None
    fitting = [k for k in listed if isinstance(k, Mapping) and k.get("kty") == _KEY_TYPES[alg]]
    if kid is not None:
        fitting = [k for k in fitting if k.get("kid") == kid]
    fitting = [k for k in fitting if k.get("use", "sig") == "sig"]
    return public_key(fitting[0]) if len(fitting) == 1 else None


def verify(token: str, key: ClientKey, *, typ: str | None = None) -> SignedByClient:
    """Check the header (alg allowed and fitting the key, ``typ`` when asked, no ``crit``) and
    the signature; the claims are the caller's to check."""
    header, claims = peek(token)
    alg = header.get("alg")
    if alg not in CLIENT_ALGORITHMS or key.key_type != _KEY_TYPES[str(alg)]:
        raise InvalidToken("alg_not_allowed")
    if "crit" in header:
        raise InvalidToken("malformed")  # RFC 7515 §4.1.11: we understand no extension
    if typ is not None and header.get("typ") != typ:
        raise InvalidToken("typ_mismatch")
    try:
        with warnings.catch_warnings():
            # joserfc warns that RFC 9864 deprecates "EdDSA" for "Ed25519"; FAPI 2.0 clients
            # still send "EdDSA", and the key (OKP, Ed25519 only: ``public_key``) makes it exact.
            warnings.simplefilter("ignore", SecurityWarning)
            jws.deserialize_compact(token, key, algorithms=[str(alg)], registry=_REGISTRY)
    except JoseError:
        raise InvalidToken("bad_signature") from None
    return SignedByClient(header, claims)
