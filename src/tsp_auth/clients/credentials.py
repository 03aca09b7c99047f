"""Client secrets: made once, shown once, stored as a hash.

A secret is ``secrets.token_urlsafe(32)``: 256 random bits. We keep its SHA-256 (hex), not a slow
password hash: slow hashes (bcrypt, scrypt, Argon2) exist to make guessing *low-entropy*
passwords expensive, and nobody can enumerate 2**256 candidates however fast the hash is. A
fast hash lets every token request verify in microseconds, and a leaked table still yields no
usable secret. Comparison is constant-time (``hmac.compare_digest``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SECRET_BYTES = 32
# Compared against when the client is unknown, so that answer takes as long as a wrong secret.
_NO_CLIENT_HASH = hashlib.sha256(b"no such client").hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def secret_matches(secret: str, stored_hash: str | None) -> bool:
    """Constant-time check of a presented secret; a missing hash never matches."""
    expected = stored_hash if stored_hash is not None else _NO_CLIENT_HASH
    matches = hmac.compare_digest(hash_secret(secret), expected)
    return matches and stored_hash is not None
