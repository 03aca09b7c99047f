"""Identity tokens: how a first-party frontend proves which platform user is acting.

The platform's login service (or, in development, our built-in issuer) signs a short-lived
JWT for the signed-in account with a secret it shares with us. These tokens have their own
algorithm (HS256), ``typ`` and audience, so none of them is ever taken for one of our ES256
tokens, and none of ours for one of them (RFC 8725 §2.8, §3.11: explicit typing).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from jose import jws
from jose.exceptions import JOSEError

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
        self._secret = secret
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
        token: str = jws.sign(claims, self._secret, headers=headers, algorithm=IDENTITY_ALGORITHM)
        return token

    def decode(self, token: str, *, now: datetime) -> str:
        """Verify and return the account id (``sub``)."""
        header, payload = split_token(token)
        if header.get("alg") != IDENTITY_ALGORITHM:
            raise InvalidToken("alg_not_allowed")
        if str(header.get("typ", "")).lower() != IDENTITY_TYP:
            raise InvalidToken("typ_mismatch")
        try:
            jws.verify(token, self._secret, algorithms=[IDENTITY_ALGORITHM])
        except JOSEError:
            raise InvalidToken("bad_signature") from None
        claims = json_object(payload)
        check_registered_claims(
            claims, issuer=self.issuer, audience=IDENTITY_AUDIENCE, now=now, leeway=self.leeway
        )
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise InvalidToken("missing_claim")
        return subject
