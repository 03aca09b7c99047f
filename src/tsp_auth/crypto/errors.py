"""Errors raised by the crypto module.

They are internal: the HTTP layer maps them to OAuth errors (an `InvalidToken` on a bearer token is
`invalid_token`, RFC 6750 §3.1; on an assertion it is `invalid_grant`, RFC 7523 §3.1).
"""

from typing import Literal, get_args

InvalidTokenReason = Literal[
    "malformed",
    "alg_not_allowed",
    "typ_mismatch",
    "unknown_kid",
    "bad_signature",
    "missing_claim",
    "wrong_issuer",
    "wrong_audience",
    "expired",
    "not_yet_valid",
]

INVALID_TOKEN_REASONS: tuple[InvalidTokenReason, ...] = get_args(InvalidTokenReason)


class CryptoError(Exception):
    """Base class of every error this module raises on purpose."""


class InvalidToken(CryptoError):
    """A JWT was refused. `reason` is a short machine code, safe to log, never shown to callers."""

    def __init__(self, reason: InvalidTokenReason) -> None:
        super().__init__(reason)
        self.reason: InvalidTokenReason = reason


class KeyDecryptionError(CryptoError):
    """A stored private key could not be unwrapped: wrong wrapping key or tampered ciphertext."""


class NoSigningKey(CryptoError):
    """The key set holds no key that may sign at the given time."""
