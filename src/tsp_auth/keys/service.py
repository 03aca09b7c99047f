"""Signing keys: loading, rotation, and the process's key ring (docs/keys.md).

Rules (DESIGN §3: "keys rotatable, old keys still published until their tokens expire"):

- One key signs at a time: the newest whose ``activates_at`` has come (`KeySet.current`).
- A rotated-in key is published at once and signs only after ``key_propagation_delay``, so
  verifiers that cache the JWKS and our other processes know it before its first token.
- Every earlier key retires at hand-over + `retention`: it signed nothing after the hand-over,
  so by then every token it signed has expired. It leaves the JWKS and its tokens fail with
  ``unknown_kid``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tsp_auth.config import Settings
from tsp_auth.crypto import (
    InvalidToken,
    JwtCodec,
    KeyDecryptionError,
    KeySet,
    SigningKey,
    decrypt_private_key,
    encrypt_private_key,
    generate_signing_key,
    load_signing_key,
)
from tsp_auth.crypto.jwt import VerifiedToken
from tsp_auth.db.direct import SessionSource
from tsp_auth.db.unit_of_work import reading
from tsp_auth.keys import repository
from tsp_auth.keys.schemas import JwkSet, KeyState, SigningKeyRead
from tsp_auth.keys.verified import MAX_VERIFIED_TOKENS, VerifiedTokens, token_digest
from tsp_auth.models import SigningKeyRecord

log = logging.getLogger("tsp_auth.keys")

# What our verifiers accept past `exp`/before `iat` (clock skew between hosts).
VERIFY_LEEWAY = timedelta(seconds=30)
# A ring reloads at least this often, so a rotation made elsewhere reaches every process.
REFRESH_INTERVAL = timedelta(seconds=60)
# An unknown kid may mean another process rotated; reload, but at most this often, so tokens
# with made-up kids cannot turn into a query each.
UNKNOWN_KID_REFRESH_INTERVAL = timedelta(seconds=5)
# Cache-Control max-age of the JWKS; `key_propagation_delay` should cover it.
JWKS_MAX_AGE = timedelta(minutes=5)

_DATABASE_ERRORS = (DBAPIError, OSError, TimeoutError)


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


class KeyRing:
    """The process's key set and the `JwtCodec` on it, kept on ``app.state.keyring``.

    Reloads read through the caller's ``SessionSource``. A ring reloads when
    it was never loaded, when it is older than `REFRESH_INTERVAL` (checked on use, no
    background task), and on an unknown kid (at most every `UNKNOWN_KID_REFRESH_INTERVAL`).
    """

    def __init__(
        self, settings: Settings, *, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._settings = settings
        self._monotonic = monotonic
        self._refreshed_at: float | None = None
        self._lock = asyncio.Lock()
        self._codec = JwtCodec(KeySet(), settings.issuer, leeway=VERIFY_LEEWAY)
        self._document: tuple[tuple[str, ...], bytes] | None = None
        self._verified = VerifiedTokens(min(MAX_VERIFIED_TOKENS, settings.cache_max_entries))

    @classmethod
    async def load(
        cls,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        now: datetime,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> KeyRing:
        """A ring filled at start-up, creating the first key of a fresh database.

        A database that is down or not migrated does not stop start-up (``/ready`` says so and
        the ring loads on first use); a key that does not decrypt does: the wrapping key is wrong.
        """
        ring = cls(settings, monotonic=monotonic)
        try:
            async with sessionmaker() as session, session.begin():
                await ring.refresh(session, now)
        except _DATABASE_ERRORS as exc:
            log.warning("signing keys not loaded (%s); loading on first use", type(exc).__name__)
        return ring

    @property
    def codec(self) -> JwtCodec:
        """The codec as last loaded; `fresh_codec` reloads first when due."""
        return self._codec

    @property
    def keyset(self) -> KeySet:
        return self._codec.keyset

    async def refresh(self, session: AsyncSession, now: datetime) -> None:
        keyset = await load_keyset(session, self._settings, now, known=self.keyset)
        self._codec = JwtCodec(keyset, self._settings.issuer, leeway=VERIFY_LEEWAY)
        self._refreshed_at = self._monotonic()

    async def fresh_codec(self, source: SessionSource, now: datetime) -> JwtCodec:
        await self._refresh_if_older(source, now, REFRESH_INTERVAL)
        return self._codec

    async def encode(
        self,
        source: SessionSource,
        claims: Mapping[str, Any],
        *,
        typ: str,
        audience: str | list[str],
        lifetime: timedelta,
        now: datetime,
    ) -> str:
        codec = await self.fresh_codec(source, now)
        return codec.encode(claims, typ=typ, audience=audience, lifetime=lifetime, now=now)

    async def decode(
        self,
        source: SessionSource,
        token: str,
        *,
        typ: str,
        audience: str,
        now: datetime,
        remember: bool = False,
    ) -> dict[str, Any]:
        """Verify `token`; an unknown kid reloads the keys once before it is refused.

        ``remember``: keep the verified token (by its hash, ``keys/verified.py``) so that the
        next decode of it skips the signature while its key is still published here; the
        header and registered claims are checked on every call all the same.
        """
        codec = await self.fresh_codec(source, now)
        digest = token_digest(token) if remember and self._verified.enabled else None
        known = None if digest is None else self._verified.get(digest, typ)
        if known is not None and codec.still_verifies(known, typ=typ, now=now):
            return codec.accept(known, audience=audience, now=now)
        verified = await self._verify(source, codec, token, typ=typ, now=now)
        claims = self._codec.accept(verified, audience=audience, now=now)
        if digest is not None:
            self._verified.put(digest, typ, verified)
        return claims

    def remembered_header(self, token: str, *, typ: str) -> dict[str, Any] | None:
        """The header of `token` if it was verified here as `typ` (``decode(..., remember=True)``)
        and is still kept: it passed `split_token` then. Whether it verifies now is `decode`'s
        call."""
        if not self._verified.enabled:
            return None
        known = self._verified.get(token_digest(token), typ)
        return None if known is None else known.header

    async def _verify(
        self, source: SessionSource, codec: JwtCodec, token: str, *, typ: str, now: datetime
    ) -> VerifiedToken:
        try:
            return codec.verify(token, typ=typ, now=now)
        except InvalidToken as exc:
            if exc.reason != "unknown_kid":
                raise
            await self._refresh_if_older(source, now, UNKNOWN_KID_REFRESH_INTERVAL)
            if self._codec is codec:
                raise
        return self._codec.verify(token, typ=typ, now=now)

    async def jwks_document(self, source: SessionSource, now: datetime) -> bytes:
        """The JWK Set as served, in JSON; rendered again only when the published keys change."""
        await self._refresh_if_older(source, now, REFRESH_INTERVAL)
        keys = self._codec.keyset.jwks(now)
        published = tuple(key["kid"] for key in keys["keys"])
        if self._document is None or self._document[0] != published:
            self._document = (published, JwkSet.model_validate(keys).model_dump_json().encode())
        return self._document[1]

    async def rotate(self, session: AsyncSession, now: datetime) -> SigningKeyRecord:
        """Rotate (see `rotate`) and reload; the caller commits."""
        record = await rotate(session, self._settings, now)
        await self.refresh(session, now)
        return record

    async def _refresh_if_older(self, source: SessionSource, now: datetime, age: timedelta) -> None:
        if not self._older_than(age):
            return
        async with self._lock:
            # Another request may have reloaded while this one waited.
            if self._older_than(age):
                async with reading(source) as session:
                    await self.refresh(session, now)

    def _older_than(self, age: timedelta) -> bool:
        if self._refreshed_at is None:
            return True
        return self._monotonic() - self._refreshed_at >= age.total_seconds()
