"""The one place that signs and verifies JWTs (DESIGN §4), following RFC 8725 (JWT BCP).

`decode` trusts nothing in the token before the signature checks out: the algorithm comes from a
fixed allow-list and must match the key's own, the key comes from OUR key set by `kid` (header
keys such as `jku`, `x5u`, `jwk`, `x5c` are never followed), and JWE input is refused.

Time has one source: the `now` the caller passes. python-jose's `jwt.decode` reads the wall clock
for `exp`/`nbf`, and its `require_exp`/`require_iat` options switch that clock check back on, so
we verify the signature with `jws.verify` (given the prebuilt key object and an explicit
`algorithms` list) and check every claim here.
"""

import base64
import binascii
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from jose import jws
from jose.exceptions import JOSEError

from tsp_auth.crypto.errors import InvalidToken
from tsp_auth.crypto.keys import ALLOWED_ALGORITHMS, SigningKey, require_aware
from tsp_auth.crypto.keyset import KeySet

REQUIRED_CLAIMS = ("iss", "aud", "exp", "iat")
# Claims the codec sets itself; a caller passing them is a bug, not a wish to be honoured.
_CODEC_CLAIMS = frozenset(("iss", "aud", "exp", "iat"))
# Far above any token we mint; refusing early bounds the work an attacker can ask for.
MAX_TOKEN_LENGTH = 16_384
_SEGMENT = re.compile(r"[A-Za-z0-9_-]*")


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    """A token whose signature checked out: its header and its claims, not yet checked
    against any clock (`JwtCodec.accept` does that, every time)."""

    header: dict[str, Any]
    claims: dict[str, Any]


class JwtCodec:
    """Signs with the key set's current key; verifies against the keys it publishes."""

    def __init__(self, keyset: KeySet, issuer: str, leeway: timedelta = timedelta(seconds=30)):
        if leeway < timedelta(0):
            raise ValueError("leeway must not be negative")
        self.keyset = keyset
        self.issuer = issuer
        self.leeway = leeway
        # (kid, typ) -> encoded header: as many entries as the key set has keys times the
        # token types we mint, and a new codec (so a new cache) whenever the key set changes.
        self._headers: dict[tuple[str, str], bytes] = {}

    def encode(
        self,
        claims: Mapping[str, Any],
        *,
        typ: str,
        audience: str | list[str],
        lifetime: timedelta,
        now: datetime,
    ) -> str:
        """Sign `claims` plus `iss`, `aud`, `iat`, `exp` and (unless given) a random `jti`."""
        require_aware(now)
        if lifetime <= timedelta(0):
            raise ValueError("lifetime must be positive")
        if not audience:
            raise ValueError("audience must not be empty")
        clashing = _CODEC_CLAIMS.intersection(claims)
        if clashing:
            raise ValueError(f"claims set by the codec must not be passed: {sorted(clashing)}")
        key = self.keyset.current(now)
        issued_at = int(now.timestamp())
        payload: dict[str, Any] = {
            "jti": claims["jti"] if "jti" in claims else secrets.token_urlsafe(16),
            **claims,
            "iss": self.issuer,
            "aud": audience,
            "iat": issued_at,
            "exp": issued_at + int(lifetime.total_seconds()),
        }
        signing_input = b"%s.%s" % (self._header(key, typ), _b64encode(orjson.dumps(payload)))
        return (signing_input + b"." + _b64encode(key.signer.sign(signing_input))).decode("ascii")

    def _header(self, key: SigningKey, typ: str) -> bytes:
        """The key's protected header for ``typ``, encoded once: it never changes per token.

        The bytes ``jws.sign`` would make of it (RFC 7515 §7.1: base64url of the JSON, keys
        sorted as python-jose sorts them); the signature is python-jose's (``key.signer``).
        """
        encoded = self._headers.get((key.kid, typ))
        if encoded is None:
            header = {"alg": key.alg, "kid": key.kid, "typ": typ}
            text = json.dumps(header, separators=(",", ":"), sort_keys=True)
            encoded = self._headers[key.kid, typ] = _b64encode(text.encode("utf-8"))
        return encoded

    def decode(self, token: str, *, typ: str, audience: str, now: datetime) -> dict[str, Any]:
        """Verify `token` and return its claims, or raise `InvalidToken(reason)`."""
        return self.accept(self.verify(token, typ=typ, now=now), audience=audience, now=now)

    def verify(self, token: str, *, typ: str, now: datetime) -> VerifiedToken:
        """The time-independent half of `decode`: structure, header, key and signature."""
        require_aware(now)
        header, payload = split_token(token)
        key = self._verification_key(header, typ, now)
        try:
            jws.verify(token, key.verifier, algorithms=[key.alg])
        except JOSEError:
            raise InvalidToken("bad_signature") from None
        return VerifiedToken(header, json_object(payload))

    def still_verifies(self, verified: VerifiedToken, *, typ: str, now: datetime) -> bool:
        """Would `verify` pass again at `now`? Its header checks, against this key set.

        The signature of a token cannot change, but the keys can: a `VerifiedToken` kept from
        an earlier `verify` is good only while its `kid` is still published here (retirement,
        a reload that dropped it) and its `alg` and `typ` still fit.
        """
        require_aware(now)
        try:
            self._verification_key(verified.header, typ, now)
        except InvalidToken:
            return False
        return True

    def accept(self, verified: VerifiedToken, *, audience: str, now: datetime) -> dict[str, Any]:
        """The claims of a verified token if its registered claims hold at `now` (a copy: a
        `VerifiedToken` may be kept and handed out again)."""
        require_aware(now)
        check_registered_claims(
            verified.claims, issuer=self.issuer, audience=audience, now=now, leeway=self.leeway
        )
        return dict(verified.claims)

    def _verification_key(self, header: dict[str, Any], typ: str, now: datetime) -> SigningKey:
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in ALLOWED_ALGORITHMS:
            raise InvalidToken("alg_not_allowed")
        if "crit" in header:
            # RFC 7515 §4.1.11: we understand no extension, so any `crit` must be refused.
            raise InvalidToken("malformed")
        token_typ = header.get("typ")
        if not isinstance(token_typ, str) or _media_type(token_typ) != _media_type(typ):
            raise InvalidToken("typ_mismatch")
        kid = header.get("kid")
        key = self.keyset.get(kid) if isinstance(kid, str) else None
        if key is None or not key.is_published(now):
            raise InvalidToken("unknown_kid")
        if alg != key.alg:
            raise InvalidToken("alg_not_allowed")
        return key


def check_registered_claims(
    claims: dict[str, Any], *, issuer: str, audience: str, now: datetime, leeway: timedelta
) -> None:
    """RFC 7519 §4.1: iss, aud, exp, iat required and checked against the caller's clock."""
    if any(name not in claims for name in REQUIRED_CLAIMS):
        raise InvalidToken("missing_claim")
    if claims["iss"] != issuer:
        raise InvalidToken("wrong_issuer")
    aud = claims["aud"]
    audiences = [aud] if isinstance(aud, str) else aud
    if not isinstance(audiences, list) or audience not in audiences:
        raise InvalidToken("wrong_audience")
    moment = now.timestamp()
    slack = leeway.total_seconds()
    # RFC 7519 §4.1.4: not accepted "on or after" exp.
    if moment >= _numeric_date(claims, "exp") + slack:
        raise InvalidToken("expired")
    if _numeric_date(claims, "iat") > moment + slack:
        raise InvalidToken("not_yet_valid")
    if "nbf" in claims and _numeric_date(claims, "nbf") > moment + slack:
        raise InvalidToken("not_yet_valid")


def _media_type(typ: str) -> str:
    """RFC 7515 §4.1.9: `application/` may be omitted; media types compare case-insensitively."""
    lowered = typ.strip().lower()
    return lowered if "/" in lowered else f"application/{lowered}"


def split_token(token: str) -> tuple[dict[str, Any], bytes]:
    """Structural checks before any key is chosen: three base64url segments, JSON header."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken("malformed")
    segments = token.split(".")
    # Five segments is a JWE (RFC 7516 §7.1); we never decrypt tokens.
    if len(segments) != 3 or not all(_SEGMENT.fullmatch(s) for s in segments):
        raise InvalidToken("malformed")
    header = json_object(_b64decode(segments[0]))
    return header, _b64decode(segments[1])


def _b64encode(raw: bytes) -> bytes:
    """RFC 7515 §2 base64url without padding (python-jose's ``base64url_encode``)."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=")


def _b64decode(segment: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise InvalidToken("malformed") from None


def json_object(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InvalidToken("malformed") from None
    if not isinstance(value, dict):
        raise InvalidToken("malformed")
    return value


def _numeric_date(claims: Mapping[str, Any], name: str) -> float:
    """RFC 7519 §2 NumericDate: a JSON number (bool is not one, though Python thinks so)."""
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidToken("malformed")
    return float(value)
