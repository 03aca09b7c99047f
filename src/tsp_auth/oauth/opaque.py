"""Opaque values we hand out (authorization codes, refresh tokens) and the hashes we keep.

DESIGN §4: "Store only hashes of secrets, codes and opaque tokens." Each value is 256 random
bits, so SHA-256 is enough (see ``tsp_auth.clients.credentials``); lookups are by hash.
"""

from __future__ import annotations

import hashlib
import secrets

OPAQUE_BYTES = 32


def new_opaque() -> str:
    return secrets.token_urlsafe(OPAQUE_BYTES)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()
