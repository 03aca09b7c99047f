"""The process's key ring: the key set and the codec on it, reloaded when due (docs/keys.md)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from tsp_auth.config import Settings
from tsp_auth.crypto import InvalidToken, JwtCodec, KeySet
from tsp_auth.crypto.jwt import VerifiedToken
from tsp_auth.db.unit_of_work import Reads
from tsp_auth.keys.schemas import JwkSet
from tsp_auth.keys.service import (
    REFRESH_INTERVAL,
    UNKNOWN_KID_REFRESH_INTERVAL,
    VERIFY_LEEWAY,
    load_keyset,
    rotate,
)
from tsp_auth.keys.verified import MAX_VERIFIED_TOKENS, VerifiedTokens, token_digest
from tsp_auth.models import SigningKeyRecord

log = logging.getLogger("tsp_auth.keys")

_DATABASE_ERRORS = (DBAPIError, OSError, TimeoutError)


class KeyRing:
    """The process's key set and the `JwtCodec` on it, kept on ``app.state.keyring``.

    Reloads read through ``reads`` (``db.unit_of_work.reads_of`` the app's sessionmaker): in
    a session of their own, or in the one a caller hands (``session=``) when it holds a write
    transaction (the code grant's on SQLite: rule 4 of docs/architecture.md, "Direct
    statements"). A ring reloads when it was never loaded, when it is older than
    `REFRESH_INTERVAL` (checked on use, no background task), and on an unknown kid (at most
    every `UNKNOWN_KID_REFRESH_INTERVAL`).
    """

    def __init__(
        self,
        settings: Settings,
        reads: Reads,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._reads = reads
        self._monotonic = monotonic
        self._refreshed_at: float | None = None
        self._lock = asyncio.Lock()
        self._codec = JwtCodec(KeySet(), settings.issuer, leeway=VERIFY_LEEWAY)
        self._document: tuple[tuple[str, ...], bytes] | None = None
        self._verified = VerifiedTokens(min(MAX_VERIFIED_TOKENS, settings.cache_max_entries))

    @classmethod
    async def load(
        cls,
        reads: Reads,
        settings: Settings,
        now: datetime,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> KeyRing:
        """A ring filled at start-up, creating the first key of a fresh database.

        A database that is down or not migrated does not stop start-up (``/ready`` says so and
        the ring loads on first use); a key that does not decrypt does: the wrapping key is wrong.
        """
        ring = cls(settings, reads, monotonic=monotonic)
        try:
            async with reads(None) as session:
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

    async def fresh_codec(self, now: datetime, *, session: AsyncSession | None = None) -> JwtCodec:
        """The codec, reloaded first when due (in ``session``, if the caller hands one)."""
        await self._refresh_if_older(session, now, REFRESH_INTERVAL)
        return self._codec

    async def encode(
        self,
        claims: Mapping[str, Any],
        *,
        typ: str,
        audience: str | list[str],
        lifetime: timedelta,
        now: datetime,
        session: AsyncSession | None = None,
    ) -> str:
        codec = await self.fresh_codec(now, session=session)
        return codec.encode(claims, typ=typ, audience=audience, lifetime=lifetime, now=now)

    async def decode(
        self,
        token: str,
        *,
        typ: str,
        audience: str,
        now: datetime,
        remember: bool = False,
        session: AsyncSession | None = None,
    ) -> dict[str, Any]:
        """Verify `token`; an unknown kid reloads the keys once before it is refused.

        ``remember``: keep the verified token (by its hash, ``keys/verified.py``) so that the
        next decode of it skips the signature while its key is still published here; the
        header and registered claims are checked on every call all the same.
        """
        codec = await self.fresh_codec(now, session=session)
        digest = token_digest(token) if remember and self._verified.enabled else None
        known = None if digest is None else self._verified.get(digest, typ)
        if known is not None and codec.still_verifies(known, typ=typ, now=now):
            return codec.accept(known, audience=audience, now=now)
        verified = await self._verify(session, codec, token, typ=typ, now=now)
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
        self,
        session: AsyncSession | None,
        codec: JwtCodec,
        token: str,
        *,
        typ: str,
        now: datetime,
    ) -> VerifiedToken:
        try:
            return codec.verify(token, typ=typ, now=now)
        except InvalidToken as exc:
            if exc.reason != "unknown_kid":
                raise
            await self._refresh_if_older(session, now, UNKNOWN_KID_REFRESH_INTERVAL)
            if self._codec is codec:
                raise
        return self._codec.verify(token, typ=typ, now=now)

    async def jwks_document(self, now: datetime) -> bytes:
        """The JWK Set as served, in JSON; rendered again only when the published keys change."""
        await self._refresh_if_older(None, now, REFRESH_INTERVAL)
        published = tuple(key.kid for key in self._codec.keyset.published(now))
        if self._document is None or self._document[0] != published:
            keys = self._codec.keyset.jwks(now)
            self._document = (published, JwkSet.model_validate(keys).model_dump_json().encode())
        return self._document[1]

    async def rotate(self, session: AsyncSession, now: datetime) -> SigningKeyRecord:
        """Rotate (see `rotate`) and reload; the caller commits."""
        record = await rotate(session, self._settings, now)
        await self.refresh(session, now)
        return record

    async def _refresh_if_older(
        self, session: AsyncSession | None, now: datetime, age: timedelta
    ) -> None:
        if not self._older_than(age):
            return
        async with self._lock:
            # Another request may have reloaded while this one waited.
            if self._older_than(age):
                async with self._reads(session) as reading:
                    await self.refresh(reading, now)

    def _older_than(self, age: timedelta) -> bool:
        if self._refreshed_at is None:
            return True
        return self._monotonic() - self._refreshed_at >= age.total_seconds()
