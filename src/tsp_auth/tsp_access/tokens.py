"""The two TSP Access credentials: the login token (a JWT) and the console session token
(opaque, stored only as a hash).

Login token (DESIGN §3): ``typ`` header ``tsp-login+jwt`` (RFC 8725 §3.11 explicit typing, so it
never passes for another of our JWTs), ``sub`` = the seller, ``act`` = the member acting for it
(RFC 8693 §4.1), ``roles``, ``grant_id``, ``gv`` (grant version), ``aud`` = the seller console,
``exp`` ≤ 5 minutes, ``jti`` (its single-use row).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tsp_auth.crypto import InvalidToken
from tsp_auth.crypto.jwt import json_object, split_token

LOGIN_TOKEN_TYP = "tsp-login+jwt"  # noqa: S105 (a media type)


@dataclass(frozen=True, slots=True)
class Act:
    """Who acts (RFC 8693 §4.1 ``act``): a partner's account, for the partner."""

    sub: str
    partner: str

    def claim(self) -> dict[str, str]:
        return {"sub": self.sub, "partner": self.partner}


@dataclass(frozen=True, slots=True)
class LoginClaims:
    """The claims of a login token that we set (the codec adds iss, aud, iat, exp)."""

    jti: str
    seller_id: str
    actor: Act
    roles: frozenset[str]
    grant_id: str
    grant_version: int
    browser_profile: str | None = None

    def to_jwt(self) -> dict[str, Any]:
        claims: dict[str, Any] = {
            "jti": self.jti,
            "sub": self.seller_id,
            "act": self.actor.claim(),
            "roles": sorted(self.roles),
            "grant_id": self.grant_id,
            "gv": self.grant_version,
        }
        if self.browser_profile is not None:
            claims["browser_profile"] = self.browser_profile
        return claims

    @classmethod
    def from_jwt(cls, claims: Mapping[str, Any]) -> LoginClaims:
        """Read verified claims back; ``ValueError`` if they are not a login token's."""
        act = claims.get("act")
        roles = claims.get("roles")
        profile = claims.get("browser_profile")
        strings = [claims.get(name) for name in ("jti", "sub", "grant_id")]
        if not (
            all(isinstance(value, str) and value for value in strings)
            and isinstance(act, dict)
            and isinstance(act.get("sub"), str)
            and isinstance(act.get("partner"), str)
            and isinstance(roles, list)
            and all(isinstance(role, str) for role in roles)
            and type(claims.get("gv")) is int
            and (profile is None or isinstance(profile, str))
        ):
            raise ValueError("not a TSP Access login token")
        return cls(
            jti=claims["jti"],
            seller_id=claims["sub"],
            actor=Act(sub=act["sub"], partner=act["partner"]),
            roles=frozenset(roles),
            grant_id=claims["grant_id"],
            grant_version=claims["gv"],
            browser_profile=profile,
        )


def new_jti() -> str:
    return secrets.token_urlsafe(16)


def new_session_token() -> str:
    """An opaque console session token: 256 random bits."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What we store and look up instead of an opaque token (DESIGN §4)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def is_well_formed(token: str) -> bool:
    """Whether ``token`` parses as a JWS compact serialization with a JSON object payload."""
    try:
        _, payload = split_token(token)
        json_object(payload)
    except InvalidToken:
        return False
    return True


def claimed_audience(token: str) -> str | None:
    """The ``aud`` a token claims, read WITHOUT verifying it.

    Only used to pick which of our console audiences to verify against; the signature and the
    audience are then checked by the key ring, and the audience against the grant's market.
    """
    try:
        _, payload = split_token(token)
        aud = json_object(payload).get("aud")
    except InvalidToken:
        return None
    return aud if isinstance(aud, str) else None


def looks_like_login_token(token: str) -> bool:
    """Whether a token's header claims our login token type (unverified: routing only)."""
    try:
        header, _ = split_token(token)
    except InvalidToken:
        return False
    typ = header.get("typ")
    return isinstance(typ, str) and typ.lower().removeprefix("application/") == LOGIN_TOKEN_TYP
