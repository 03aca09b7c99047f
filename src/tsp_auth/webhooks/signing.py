"""Webhook secrets and signatures, as Standard Webhooks specifies them
(https://www.standardwebhooks.com, docs/operations.md "Verifying a webhook").

- secret: ``whsec_`` + base64 of 32 random bytes; the key is the decoded bytes;
- ``webhook-signature: v1,<base64 of HMAC-SHA256 over "{id}.{timestamp}.{body}">``, one
  space-separated entry per secret in use: during a rotation both the new and the previous
  secret sign, so a receiver still holding the old one keeps verifying.

The id and the timestamp are signed with the body, so a captured delivery cannot be replayed
under a fresh timestamp or another id. A secret is stored as a Fernet token under
``TSP_AUTH_KEY_WRAPPING_KEY``, not as a hash: the worker must recover it to sign.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Iterable

from cryptography.fernet import Fernet

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
SIGNATURE_VERSION = "v1"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def encrypt_secret(secret: str, wrapping_key: str) -> str:
    return Fernet(wrapping_key).encrypt(secret.encode()).decode("ascii")


def decrypt_secret(token: str, wrapping_key: str) -> str:
    """Raises ``cryptography.fernet.InvalidToken`` under another wrapping key."""
    return Fernet(wrapping_key).decrypt(token).decode()


def _key(secret: str) -> bytes:
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        return base64.b64decode(encoded, validate=True)
    except binascii.Error:
        # Secrets made before Standard Webhooks were url-safe text, keyed as their bytes;
        # docs/operations.md asks their owners to rotate.
        return secret.encode()


def signature(secret: str, event_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{event_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode('ascii')}"


def signatures(secrets_in_use: Iterable[str], event_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header: one signature per secret, separated by spaces."""
    return " ".join(signature(s, event_id, timestamp, body) for s in secrets_in_use)
