"""Identity tokens: how a first-party frontend proves which platform user is acting.

The platform's login service (or, in development, our built-in issuer) signs a short-lived
JWT for the signed-in account with a secret it shares with us. These tokens have their own
algorithm (HS256), ``typ`` and audience, so none of them is ever taken for one of our ES256
tokens, and none of ours for one of them (RFC 8725 §2.8, §3.11: explicit typing).
"""

from __future__ import annotations

import binascii
import secrets
from datetime import datetime, timedelta

from jose import jwk, jws
from jose.exceptions import JOSEError
from jose.utils import base64url_decode

from tsp_auth.crypto.errors import InvalidToken
from tsp_auth.crypto.jwt import check_registered_claims, json_object, split_token

IDENTITY_ALGORITHM = "HS256"
IDENTITY_TYP = "id+jwt"
IDENTITY_AUDIENCE = "tsp-auth"
MAX_IDENTITY_LIFETIME = timedelta(hours=12)


class IdentityCodec:
    def __init__(self, secret: str, issuer: str, leeway: timedelta = timedelta(seconds=30)):
        if len(secret) < 32:
            raise ValueError("identity token secret must be at least 32 characters")
        # The HMAC key built once: handed the secret, ``jws.verify`` tries it as JSON, then
        # builds this key again, on every request (half of a decode's cost).
        self._key = jwk.construct(secret, IDENTITY_ALGORITHM)
        self.issuer = issuer
        self.leeway = leeway

    def encode(self, subject: str, *, now: datetime, lifetime: timedelta) -> str:
        if not timedelta(0) < lifetime <= MAX_IDENTITY_LIFETIME:
            raise ValueError("identity token lifetime must be positive and at most 12 hours")
        issued = int(now.timestamp())
        claims = {
            "iss": self.issuer,
            "aud": IDENTITY_AUDIENCE,
            "sub": subject,
            "iat": issued,
            "exp": issued + int(lifetime.total_seconds()),
            "jti": secrets.token_urlsafe(16),
        }
        headers = {"typ": IDENTITY_TYP}
        token: str = jws.sign(claims, self._key, headers=headers, algorithm=IDENTITY_ALGORITHM)
        return token

    def decode(self, token: str, *, now: datetime) -> str:
        """Verify and return the account id (``sub``)."""
        header, payload = split_token(token)
        if header.get("alg") != IDENTITY_ALGORITHM:
            raise InvalidToken("alg_not_allowed")
        if str(header.get("typ", "")).lower() != IDENTITY_TYP:
            raise InvalidToken("typ_mismatch")
        if not self._signed_by_us(token):
            raise InvalidToken("bad_signature")
        claims = json_object(payload)
        check_registered_claims(
            claims, issuer=self.issuer, audience=IDENTITY_AUDIENCE, now=now, leeway=self.leeway
        )
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise InvalidToken("missing_claim")
        return subject

    def _signed_by_us(self, token: str) -> bool:
        """RFC 7515 §5.2 step 8: the HS256 MAC of ``header.payload`` is the signature.

        ``split_token`` has already checked the three segments and the JSON header that
        ``jws.verify`` would parse a second time, and ``decode`` the algorithm, so this asks
        the key (python-jose's, as ``jws.verify`` would) only the signature.
        """
        signing_input, _, signature = token.rpartition(".")
        try:
            mac = base64url_decode(signature.encode("ascii"))
            return bool(self._key.verify(signing_input.encode("ascii"), mac))
        except (binascii.Error, ValueError, JOSEError):
            return False
