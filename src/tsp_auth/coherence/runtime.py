"""Start and stop a process's coherence (called by the app's lifespan)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from tsp_auth.coherence import process
from tsp_auth.coherence.bus import Listener
from tsp_auth.coherence.process import Coherence
from tsp_auth.config import Settings


class Runtime:
    """A process's coherence and, on PostgreSQL with a cache, its listener."""

    def __init__(self, settings: Settings, engine: AsyncEngine) -> None:
        shared = engine.dialect.name == "postgresql"
        self.engine = engine
        self.coherence = Coherence(settings, shared=shared)
        caching = settings.cache_max_entries > 0
        self.listener = Listener(self.coherence, settings) if shared and caching else None

    async def start(self) -> None:
        process.register(self.engine, self.coherence)
        if self.listener is not None:
            self.listener.start()  # serves from the database until its lease is granted

    async def stop(self) -> None:
        if self.listener is not None:
            await self.listener.stop()
        process.unregister(self.engine)
        self.coherence.cache.clear()
