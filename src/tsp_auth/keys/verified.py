"""Tokens this process has verified, by hash, so that a token introspected again and again
costs one ES256 verification, not one per request (docs/keys.md, "Verified tokens").

Why that is as safe as verifying every time: a token is immutable, so its signature checks
out today exactly as it did the first time, against the same public key; what can change is
whether that key still counts. So an entry holds the verified header and claims, never the
token (its key is the token's SHA-256), and on every hit the key ring re-checks the header
against the keys it holds now (``JwtCodec.still_verifies``: the ``kid`` still published, its
``alg`` and the ``typ``) and the registered claims against the request's clock
(``JwtCodec.accept``: ``exp``, ``iat``, ``nbf``, ``iss``, ``aud``). A retired or dropped key
therefore refuses its tokens from the same moment as without the memo. Revocation, the
client's and the grant's state are not part of a verification and are read as before.
"""

from __future__ import annotations

import hashlib

from tsp_auth.coherence.lru import TaggedLRU
from tsp_auth.crypto.jwt import VerifiedToken

# Enough entries for the live access tokens (15-minute lifetime) a process is asked about, in a
# bounded amount of memory (docs/performance.md, "Figures from the code").
MAX_VERIFIED_TOKENS = 10_000


def token_digest(token: str) -> bytes:
    """The memo's key: the token itself is never kept."""
    return hashlib.sha256(token.encode("utf-8")).digest()


class VerifiedTokens:
    """At most ``max_entries`` verified tokens, least recently used dropped first (0: off).

    Each is kept with the ``typ`` it was verified as, and found only as that ``typ``.
    """

    def __init__(self, max_entries: int) -> None:
        self._lru = TaggedLRU(max_entries)

    @property
    def enabled(self) -> bool:
        return self._lru.max_entries > 0

    def get(self, digest: bytes, typ: str) -> VerifiedToken | None:
        found: tuple[str, VerifiedToken] | None = self._lru.get(digest)
        return found[1] if found is not None and found[0] == typ else None

    def put(self, digest: bytes, typ: str, verified: VerifiedToken) -> None:
        # No tags: nothing invalidates an entry, each hit is checked against the keys instead.
        self._lru.put(digest, (typ, verified), (), self._lru.epoch)

    def __len__(self) -> int:
        return len(self._lru)
