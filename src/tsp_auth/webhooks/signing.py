"""Webhook secrets and signatures (docs/operations.md, "Verifying a webhook").

``Webhook-Signature: v1=<hex HMAC-SHA256 of "{timestamp}.{body}">``, keyed with the endpoint's
secret as UTF-8 bytes. The timestamp is signed with the body, so a captured delivery cannot be
replayed later under a fresh timestamp.

The secret is stored as a Fernet token under ``TSP_AUTH_KEY_WRAPPING_KEY``, not as a hash: the
worker must recover it to sign every delivery.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
SIGNATURE_VERSION = "v1"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def encrypt_secret(secret: str, wrapping_key: str) -> str:
    return Fernet(wrapping_key).encrypt(secret.encode()).decode("ascii")


def decrypt_secret(token: str, wrapping_key: str) -> str:
    """Raises ``cryptography.fernet.InvalidToken`` under another wrapping key."""
    return Fernet(wrapping_key).decrypt(token).decode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"
