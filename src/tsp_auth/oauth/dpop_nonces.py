"""DPoP server nonces (RFC 9449 §8), stateless: any process can check any process's nonce.

A nonce is a 60-second window number with an HMAC of it under a key derived from the key
wrapping key (a secret every process shares); the current and the previous window are
accepted, so a nonce lives 60 to 120 s. It limits how far ahead a stolen key can pre-make
proofs (§11.2); being the same for every client in a window, it is no identifier.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import datetime

from tsp_auth.config import Settings

WINDOW_SECONDS = 60
_MAC_BYTES = 16


def _key(settings: Settings) -> bytes:
    secret = settings.key_wrapping_key.get_secret_value().encode()
    return hmac.new(secret, b"tsp-auth dpop nonce", hashlib.sha256).digest()


def _nonce(settings: Settings, window: int) -> str:
    number = window.to_bytes(8, "big")
    mac = hmac.new(_key(settings), number, hashlib.sha256).digest()[:_MAC_BYTES]
    return base64.urlsafe_b64encode(number + mac).rstrip(b"=").decode()


def _window(at: datetime) -> int:
    return int(at.timestamp()) // WINDOW_SECONDS


def current_nonce(settings: Settings, at: datetime) -> str:
    return _nonce(settings, _window(at))


def is_fresh_nonce(settings: Settings, nonce: object, at: datetime) -> bool:
    if not isinstance(nonce, str) or len(nonce) > 64:
        return False
    try:
        raw = base64.urlsafe_b64decode(nonce + "=" * (-len(nonce) % 4))
    except (binascii.Error, ValueError):
        return False
    if len(raw) != 8 + _MAC_BYTES:
        return False
    window = int.from_bytes(raw[:8], "big")
    if window not in (_window(at), _window(at) - 1):
        return False
    return hmac.compare_digest(_nonce(settings, window), nonce)
