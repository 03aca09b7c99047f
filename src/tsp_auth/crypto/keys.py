"""Signing keys: generation, loading, their public JWK and thumbprint, and wrapping at rest.

A `SigningKey` holds python-jose key objects built once from a `cryptography` key: python-jose
accepts a constructed `Key` in `jws.sign`/`jws.verify` and then never parses PEM again, which
matters because parsing a PEM per call is what makes naive JWT code slow (DESIGN §4).
"""

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from cryptography import fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jose.backends.base import Key
from jose.backends.cryptography_backend import CryptographyECKey

from tsp_auth.crypto.errors import KeyDecryptionError

# The only algorithms we sign with or accept (RFC 8725 §3.1: a fixed allow-list, never the
# token's own choice).
ALLOWED_ALGORITHMS: tuple[str, ...] = ("ES256",)

# alg -> (JWK "crv", cryptography curve class); RFC 7518 §3.4 binds ES256 to P-256.
_CURVES: dict[str, tuple[str, type[ec.EllipticCurve]]] = {"ES256": ("P-256", ec.SECP256R1)}

# RFC 7638 §3.2: the required members of each key type, the only ones hashed.
_THUMBPRINT_MEMBERS: dict[str, tuple[str, ...]] = {
    "EC": ("crv", "kty", "x", "y"),
    "RSA": ("e", "kty", "n"),
    "OKP": ("crv", "kty", "x"),
    "oct": ("k", "kty"),
}


def require_aware(moment: datetime, name: str = "now") -> None:
    """Refuse naive datetimes: a naive `now` silently means the host's local time zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


@dataclass(frozen=True, eq=False, kw_only=True)
class SigningKey:
    """One ES256 key pair, ready to sign and verify. The private PEM is not kept here.

    `retires_at` is when the key leaves the JWKS and stops verifying; `None` means not scheduled.
    """

    kid: str
    signer: Key = field(repr=False)
    verifier: Key = field(repr=False)
    public_jwk: dict[str, str]
    created_at: datetime
    retires_at: datetime | None = None
    alg: str = "ES256"

    def is_published(self, now: datetime) -> bool:
        """True while the key is in the JWKS, so tokens it signed still verify."""
        return self.retires_at is None or now < self.retires_at

    def may_sign(self, now: datetime) -> bool:
        return self.created_at <= now and self.is_published(now)


def jwk_thumbprint(jwk: Mapping[str, str]) -> str:
    """RFC 7638 §3: base64url(SHA-256(canonical JSON of the required members)), unpadded."""
    members = _THUMBPRINT_MEMBERS.get(jwk.get("kty", ""))
    if members is None:
        raise ValueError(f"no RFC 7638 member list for kty={jwk.get('kty')!r}")
    # §3.3: members sorted lexicographically, no whitespace, UTF-8.
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def generate_signing_key(now: datetime, alg: str = "ES256") -> tuple[SigningKey, bytes]:
    """A fresh key valid from `now`, and its private key as unencrypted PKCS#8 PEM to store."""
    require_aware(now)
    curve = _curve_for(alg)[1]
    private_key = ec.generate_private_key(curve())
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return _build(private_key, alg, created_at=now, retires_at=None), pem


def load_signing_key(
    private_pem: bytes,
    *,
    created_at: datetime,
    retires_at: datetime | None = None,
    alg: str = "ES256",
) -> SigningKey:
    """Rebuild a stored key. The PEM is parsed here, once, never per token."""
    require_aware(created_at, "created_at")
    if retires_at is not None:
        require_aware(retires_at, "retires_at")
    crv, curve = _curve_for(alg)
    try:
        private_key = serialization.load_pem_private_key(private_pem, password=None)
    except (ValueError, TypeError) as exc:
        raise ValueError("private_pem is not an unencrypted PEM private key") from exc
    if not isinstance(private_key, ec.EllipticCurvePrivateKey) or not isinstance(
        private_key.curve, curve
    ):
        raise ValueError(f"{alg} needs an EC {crv} private key")
    return _build(private_key, alg, created_at=created_at, retires_at=retires_at)


def _curve_for(alg: str) -> tuple[str, type[ec.EllipticCurve]]:
    if alg not in ALLOWED_ALGORITHMS or alg not in _CURVES:
        raise ValueError(f"unsupported signing algorithm {alg!r}; allowed: {ALLOWED_ALGORITHMS}")
    return _CURVES[alg]


def _build(
    private_key: ec.EllipticCurvePrivateKey,
    alg: str,
    *,
    created_at: datetime,
    retires_at: datetime | None,
) -> SigningKey:
    signer = CryptographyECKey(private_key, alg)
    verifier = CryptographyECKey(private_key.public_key(), alg)
    # Public members only: alg, kty, crv, x, y (RFC 7518 §6.2.1). The stub leaves to_dict
    # unannotated; it returns dict[str, str].
    members = verifier.to_dict()  # type: ignore[no-untyped-call]
    ec_members = {name: str(members[name]) for name in ("kty", "crv", "x", "y")}
    kid = jwk_thumbprint(ec_members)
    public_jwk = {"kid": kid, "alg": alg, "use": "sig", **ec_members}
    return SigningKey(
        kid=kid,
        signer=signer,
        verifier=verifier,
        public_jwk=public_jwk,
        created_at=created_at,
        retires_at=retires_at,
        alg=alg,
    )


def new_wrapping_key() -> str:
    """A fresh Fernet key (urlsafe base64 of 32 random bytes) for the settings."""
    return fernet.Fernet.generate_key().decode("ascii")


def encrypt_private_key(pem: bytes, wrapping_key: str) -> str:
    """Wrap a private PEM for storage (Fernet: AES-128-CBC + HMAC-SHA256, authenticated)."""
    return fernet.Fernet(wrapping_key).encrypt(pem).decode("ascii")


def decrypt_private_key(token: str, wrapping_key: str) -> bytes:
    """Unwrap a stored private PEM; any failure is a `KeyDecryptionError`."""
    try:
        return fernet.Fernet(wrapping_key).decrypt(token)
    except ValueError as exc:
        raise KeyDecryptionError("wrapping key is not a valid Fernet key") from exc
    except fernet.InvalidToken as exc:
        raise KeyDecryptionError(
            "cannot decrypt the stored signing key: wrong wrapping key or corrupted data"
        ) from exc
