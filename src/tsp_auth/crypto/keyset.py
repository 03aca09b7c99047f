"""The set of signing keys: which one signs now, which ones are published, and rotation.

Rotation (DESIGN §3: "keys rotatable, old keys still published until their tokens expire"):

1. `generate_signing_key(now)` makes a new key; store it (wrapped) with its `created_at`.
2. `keyset.rotate_in(new_key, now=now, max_token_lifetime=...)` returns a new `KeySet` in which
   the new key signs from `max(now, new_key.created_at)` on, and every earlier key is scheduled to
   retire one maximum token lifetime after that hand-over. Persist the `retires_at` it set.
3. Until then the earlier keys stay in the JWKS and keep verifying the tokens they signed; after
   it they disappear from the JWKS and tokens naming them fail with `unknown_kid`.

A new key with `created_at` in the future is published at once but signs only from then on, so
verifiers that cache the JWKS learn it before it is used (RFC 7517 §5 consumers often cache).
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

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

    def rotate_in(
        self, new_key: SigningKey, *, now: datetime, max_token_lifetime: timedelta
    ) -> "KeySet":
        """Add `new_key` and schedule every earlier key's retirement (see the module docstring).

        An earlier key keeps an earlier `retires_at` it already had; only later or unset
        retirements are brought forward to hand-over + `max_token_lifetime`.
        """
        require_aware(now)
        if max_token_lifetime <= timedelta(0):
            raise ValueError("max_token_lifetime must be positive")
        retire_at = max(now, new_key.created_at) + max_token_lifetime
        kept = tuple(_retire_by(key, retire_at) for key in self.keys)
        return KeySet((*kept, new_key))

    def without_retired(self, now: datetime) -> "KeySet":
        """Drop keys retired at `now`; what is left is what the store still needs."""
        return KeySet(self.published(now))


def _retire_by(key: SigningKey, retire_at: datetime) -> SigningKey:
    if key.retires_at is not None and key.retires_at <= retire_at:
        return key
    return replace(key, retires_at=retire_at)
