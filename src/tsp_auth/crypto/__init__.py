"""JWT signing and verification, and the signing keys behind them (DESIGN §4).

The only module that touches python-jose. No settings, no database, no clock: callers pass `now`.
"""

from tsp_auth.crypto.errors import (
    INVALID_TOKEN_REASONS,
    CryptoError,
    InvalidToken,
    InvalidTokenReason,
    KeyDecryptionError,
    NoSigningKey,
)
from tsp_auth.crypto.jwt import JwtCodec
from tsp_auth.crypto.keys import (
    ALLOWED_ALGORITHMS,
    SigningKey,
    decrypt_private_key,
    encrypt_private_key,
    generate_signing_key,
    jwk_thumbprint,
    load_signing_key,
    new_wrapping_key,
)
from tsp_auth.crypto.keyset import KeySet

__all__ = [
    "ALLOWED_ALGORITHMS",
    "INVALID_TOKEN_REASONS",
    "CryptoError",
    "InvalidToken",
    "InvalidTokenReason",
    "JwtCodec",
    "KeyDecryptionError",
    "KeySet",
    "NoSigningKey",
    "SigningKey",
    "decrypt_private_key",
    "encrypt_private_key",
    "generate_signing_key",
    "jwk_thumbprint",
    "load_signing_key",
    "new_wrapping_key",
]
