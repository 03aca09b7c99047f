"""The set of signing keys: which one signs now and which ones are published.

Keys rotate in the database (``keys/service.py`` ``rotate``, DESIGN §3: "keys rotatable, old
keys still published until their tokens expire"); a ``KeySet`` only reads the ``created_at`` and
``retires_at`` stored with each key. Until its ``retires_at`` a key stays in the JWKS and keeps
verifying the tokens it signed; after it the key disappears from the JWKS and tokens naming it
fail with ``unknown_kid``. A key with ``created_at`` in the future is published at once but
signs only from then on, so verifiers that cache the JWKS learn it before it is used (RFC 7517
§5 consumers often cache).
"""

from dataclasses import dataclass
from datetime import datetime

from tsp_auth.crypto.errors import NoSigningKey
from tsp_auth.crypto.keys import SigningKey, require_aware


@dataclass(frozen=True)
class KeySet:
    """An immutable collection of signing keys with unique `kid`s."""

    keys: tuple[SigningKey, ...] = ()

    def __post_init__(self) -> None:
        kids = [key.kid for key in self.keys]
        if len(kids) != len(set(kids)):
            raise ValueError("duplicate kid in key set")

    def get(self, kid: str) -> SigningKey | None:
        """The key with this `kid`, published or not; `None` if we never had it."""
        return next((key for key in self.keys if key.kid == kid), None)

    def current(self, now: datetime) -> SigningKey:
        """The signing key: the newest one that exists at `now` and is not retired."""
        require_aware(now)
        candidates = [key for key in self.keys if key.may_sign(now)]
        if not candidates:
            raise NoSigningKey(f"no signing key valid at {now.isoformat()}")
        return max(candidates, key=lambda key: key.created_at)

    def published(self, now: datetime) -> tuple[SigningKey, ...]:
        """Every key not retired at `now`, including ones scheduled to start signing later."""
        require_aware(now)
        return tuple(key for key in self.keys if key.is_published(now))

    def jwks(self, now: datetime) -> dict[str, list[dict[str, str]]]:
        """The RFC 7517 §5 JWK Set to serve at `/.well-known/jwks.json`: public members only."""
        return {"keys": [dict(key.public_jwk) for key in self.published(now)]}
