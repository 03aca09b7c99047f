"""Client-side JOSE for the FAPI 2.0 tests, with PyJWT (independent of the server's joserfc):
client key pairs, private_key_jwt assertions (RFC 7523), DPoP proofs (RFC 9449)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ISSUER = "http://127.0.0.1:8000"
_MEMBERS = {"EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n"), "OKP": ("crv", "kty", "x")}


@dataclass
class ClientKey:
    alg: str
    private: Any = field(repr=False)
    kid: str = field(default_factory=lambda: secrets.token_urlsafe(8))

    @classmethod
    def generate(cls, alg: str = "ES256") -> ClientKey:
        if alg == "ES256":
            return cls(alg, ec.generate_private_key(ec.SECP256R1()))
        if alg == "PS256":
            return cls(alg, rsa.generate_private_key(public_exponent=65537, key_size=2048))
        return cls(alg, ed25519.Ed25519PrivateKey.generate())

    def public_jwk(self) -> dict[str, Any]:
        algorithm = {"ES256": ECAlgorithm, "PS256": RSAAlgorithm, "EdDSA": OKPAlgorithm}[self.alg]
        jwk: dict[str, Any] = json.loads(algorithm.to_jwk(self.private.public_key()))
        return {k: v for k, v in jwk.items() if k in ("kty", "crv", "x", "y", "n", "e")}

    def registered(self) -> dict[str, Any]:
        return {**self.public_jwk(), "kid": self.kid, "use": "sig", "alg": self.alg}

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.registered()]}

    def thumbprint(self) -> str:
        """RFC 7638 §3: the required members, sorted, no whitespace, SHA-256, base64url."""
        jwk = self.public_jwk()
        canonical = json.dumps({k: jwk[k] for k in _MEMBERS[jwk["kty"]]}, separators=(",", ":"))
        return b64(hashlib.sha256(canonical.encode()).digest())

    def sign(self, claims: dict[str, Any], headers: dict[str, Any]) -> str:
        return jwt.encode(claims, self.private, algorithm=self.alg, headers=headers)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def assertion(key: ClientKey, client_id: str, **overrides: Any) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": client_id,
        "sub": client_id,
        "aud": ISSUER,
        "iat": now,
        "exp": now + 60,
        "jti": secrets.token_urlsafe(16),
    }
    claims.update(overrides)
    return key.sign({k: v for k, v in claims.items() if v is not None}, {"kid": key.kid})


def assertion_form(key: ClientKey, client_id: str, **overrides: Any) -> dict[str, str]:
    return {
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion(key, client_id, **overrides),
    }


def dpop_proof(
    key: ClientKey,
    method: str,
    url: str,
    *,
    access_token: str | None = None,
    nonce: str | None = None,
    header: dict[str, Any] | None = None,
    **overrides: Any,
) -> str:
    claims: dict[str, Any] = {
        "htm": method,
        "htu": url,
        "iat": int(time.time()),
        "jti": secrets.token_urlsafe(16),
    }
    if access_token is not None:
        claims["ath"] = b64(hashlib.sha256(access_token.encode()).digest())
    if nonce is not None:
        claims["nonce"] = nonce
    claims.update(overrides)
    headers = {"typ": "dpop+jwt", "jwk": key.public_jwk(), **(header or {})}
    return key.sign({k: v for k, v in claims.items() if v is not None}, headers)
