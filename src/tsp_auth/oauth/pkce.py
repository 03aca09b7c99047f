"""Proof Key for Code Exchange (RFC 7636), S256 only (RFC 9700 §2.1.1)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

S256 = "S256"
# RFC 7636 §4.1: 43-128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"; the
# challenge (§4.2) is held to the same alphabet and length.
PKCE_PATTERN = r"^[A-Za-z0-9._~-]{43,128}$"
_UNRESERVED_43_128 = re.compile(PKCE_PATTERN)


def is_well_formed(value: str) -> bool:
    return _UNRESERVED_43_128.fullmatch(value) is not None


def s256(verifier: str) -> str:
    """RFC 7636 §4.2: BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def verifier_matches(verifier: str, challenge: str) -> bool:
    """RFC 7636 §4.6, compared in constant time."""
    return is_well_formed(verifier) and hmac.compare_digest(s256(verifier), challenge)
