"""Start and stop a process's coherence (called by the app's lifespan)."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from tsp_auth.coherence import process, repository
from tsp_auth.coherence.bus import Listener
from tsp_auth.coherence.process import Coherence
from tsp_auth.config import Settings

log = logging.getLogger(__name__)


class Runtime:
    """A process's coherence and, on PostgreSQL with a cache, its listener."""

    def __init__(self, settings: Settings, engine: AsyncEngine) -> None:
        shared = engine.dialect.name == "postgresql"
        self.engine = engine
        self.coherence = Coherence(settings, shared=shared)
        caching = settings.cache_max_entries > 0
        self.listener = (
            Listener(self.coherence, settings, retire=self._retire) if shared and caching else None
        )

    async def start(self) -> None:
        process.register(self.engine, self.coherence)
        if self.listener is not None:
            self.listener.start()  # serves from the database until its lease is granted

    async def stop(self) -> None:
        if self.listener is not None:
            await self.listener.stop()
            if self.coherence.incarnation is not None:
                await self._retire(self.coherence.incarnation)
        process.unregister(self.engine)
        self.coherence.cache.clear()

    async def _retire(self, me: str) -> None:
        """End incarnation ``me``'s lease through the pool, bounded: writers need not wait for
        it to lapse. Best effort: if it fails, the lease lapses by itself (at most one lease),
        or the process's next registration retires it."""
        try:
            async with asyncio.timeout(self.coherence.lease.renew_every):
                async with self.engine.connect() as connection:
                    await repository.release(connection, me)
        except (OSError, TimeoutError, SQLAlchemyError) as exc:
            log.warning("coherence lease %s not released: %s", me, exc)
