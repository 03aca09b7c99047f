"""Signing keys: loading, rotation and listing (docs/keys.md); the process's ring is ``ring``.

Rules (DESIGN §3: "keys rotatable, old keys still published until their tokens expire"):

- One key signs at a time: the newest whose ``activates_at`` has come (`KeySet.current`).
- A rotated-in key is published at once and signs only after ``key_propagation_delay``, so
  verifiers that cache the JWKS and our other processes know it before its first token.
- Every earlier key retires at hand-over + `retention`: it signed nothing after the hand-over,
  so by then every token it signed has expired. It leaves the JWKS and its tokens fail with
  ``unknown_kid``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.config import Settings
from tsp_auth.crypto import (
    KeyDecryptionError,
    KeySet,
    SigningKey,
    decrypt_private_key,
    encrypt_private_key,
    generate_signing_key,
    load_signing_key,
)
from tsp_auth.keys import repository
from tsp_auth.keys.schemas import KeyState, SigningKeyRead
from tsp_auth.models import SigningKeyRecord

# What our verifiers accept past `exp`/before `iat` (clock skew between hosts).
VERIFY_LEEWAY = timedelta(seconds=30)
# A ring reloads at least this often, so a rotation made elsewhere reaches every process.
REFRESH_INTERVAL = timedelta(seconds=60)
# An unknown kid may mean another process rotated; reload, but at most this often, so tokens
# with made-up kids cannot turn into a query each.
UNKNOWN_KID_REFRESH_INTERVAL = timedelta(seconds=5)
# Cache-Control max-age of the JWKS; `key_propagation_delay` should cover it.
JWKS_MAX_AGE = timedelta(minutes=5)


def retention(settings: Settings) -> timedelta:
    """How long a key stays published after it stopped signing.

    The longest-lived JWT we sign (access token or login token; refresh tokens are opaque),
    plus the verifiers' leeway, plus one refresh interval for a process that has not reloaded
    yet and still signs with the old key.
    """
    longest = max(settings.access_token_ttl, settings.login_token_ttl)
    return longest + VERIFY_LEEWAY + REFRESH_INTERVAL


async def load_keyset(
    session: AsyncSession, settings: Settings, now: datetime, *, known: KeySet | None = None
) -> KeySet:
    """The keys published at `now`, each private key unwrapped and parsed once.

    Keys already in `known` are reused with their stored times; only new kids are decrypted.
    A database with no published key gets its first one, signing at once (a fresh `make run`).
    """
    records = list(await repository.list_published(session, now))
    if not records:
        await repository.lock_key_creation(session)
        # Another process starting at the same time may have made it while this one waited.
        records = list(await repository.list_published(session, now))
    if not records:
        records = [await rotate(session, settings, now)]
    wrapping_key = settings.key_wrapping_key.get_secret_value()
    return KeySet(tuple(_signing_key(record, wrapping_key, known) for record in records))


def _signing_key(record: SigningKeyRecord, wrapping_key: str, known: KeySet | None) -> SigningKey:
    cached = known.get(record.kid) if known is not None else None
    if cached is not None:
        return replace(cached, created_at=record.activates_at, retires_at=record.retires_at)
    pem = decrypt_private_key(record.private_key_encrypted, wrapping_key)
    key = load_signing_key(
        pem, created_at=record.activates_at, retires_at=record.retires_at, alg=record.alg
    )
    if key.kid != record.kid:
        raise KeyDecryptionError(f"stored key {record.kid} does not match its kid")
    return key


async def rotate(session: AsyncSession, settings: Settings, now: datetime) -> SigningKeyRecord:
    """Add a key, published at once and signing after the propagation delay; retire the rest.

    The first key of a database signs at once, and for `VERIFY_LEEWAY` back: there is no
    earlier key to hand over from, and a request that read the clock just before another one
    made the key (a fresh database, several first requests at once) must find it signing.
    Raises `KeyDecryptionError` if the stored keys were wrapped under another wrapping key.
    The caller's unit of work commits.
    """
    wrapping_key = settings.key_wrapping_key.get_secret_value()
    await repository.lock_key_creation(session)
    published = await repository.list_published(session, now)
    for earlier in published:
        # Refuse a wrapping key the stored keys were not wrapped with: a new key under it
        # would not load in the processes that hold the right one.
        decrypt_private_key(earlier.private_key_encrypted, wrapping_key)
    activates_at = now + settings.key_propagation_delay if published else now - VERIFY_LEEWAY
    await repository.retire_all_by(session, activates_at + retention(settings))
    key, pem = generate_signing_key(activates_at)
    record = SigningKeyRecord(
        kid=key.kid,
        alg=key.alg,
        private_key_encrypted=encrypt_private_key(pem, wrapping_key),
        public_jwk=dict(key.public_jwk),
        created_at=now,
        activates_at=activates_at,
        retires_at=None,
    )
    repository.add(session, record)
    await session.flush()
    return record


async def list_keys(session: AsyncSession, now: datetime) -> list[SigningKeyRead]:
    """Every stored key with its state at `now`; public data only."""
    records = await repository.list_all(session)
    live = [r for r in records if r.activates_at <= now and not _retired(r, now)]
    signing = max(live, key=lambda r: r.activates_at).kid if live else None
    return [
        SigningKeyRead(
            kid=r.kid,
            alg=r.alg,
            created_at=r.created_at,
            activates_at=r.activates_at,
            retires_at=r.retires_at,
            state=_state(r, now, signing),
        )
        for r in records
    ]


def _retired(record: SigningKeyRecord, now: datetime) -> bool:
    return record.retires_at is not None and record.retires_at <= now


def _state(record: SigningKeyRecord, now: datetime, signing: str | None) -> KeyState:
    if _retired(record, now):
        return "retired"
    if record.kid == signing:
        return "signing"
    return "pending" if record.activates_at > now else "verifying"
