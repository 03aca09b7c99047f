"""The process's coherence: its cache, its lease, and where the hot paths find them.

The hot paths are handed a sessionmaker, not the app; the process's ``Coherence`` is found
from the engine the sessionmaker (or session) is bound to. An engine without one — the tests'
apps that skip the lifespan, the CLI, the worker — reads the database every time and, on
PostgreSQL, still notifies the processes that do cache.
"""

from __future__ import annotations

import os
import secrets
import socket
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from tsp_auth.coherence.lease import Lease
from tsp_auth.coherence.lru import TaggedLRU
from tsp_auth.coherence.metrics import LISTENER_LOST
from tsp_auth.config import Settings


class Coherence:
    """One per serving process. ``shared``: other processes may cache (PostgreSQL)."""

    def __init__(self, settings: Settings, *, shared: bool) -> None:
        self.cache = TaggedLRU(settings.cache_max_entries)
        self.shared = shared
        self.lease = Lease(
            settings.coherence_lease_seconds, settings.coherence_clock_drift, self.cache.clear
        )
        # The lease row this process holds now: a new one for every listener connection,
        # each named ``<process>:<n>``; registering one retires every earlier one by the prefix.
        self.process = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(6)}:"
        self._incarnations = 0
        self.incarnation: str | None = None
        # The coalescing batchers of the cached reads, by kind and sessionmaker
        # (live/read_through.py).
        self.batchers: dict[tuple[str, int], Any] = {}

    def serving(self) -> bool:
        """May an answer come from the cache now?"""
        if self.cache.max_entries <= 0:
            return False
        return not self.shared or self.lease.fresh()

    def new_incarnation(self) -> str:
        self._incarnations += 1
        self.incarnation = f"{self.process}{self._incarnations}"
        return self.incarnation

    def listener_lost(self) -> None:
        """Invalidations may be missed from now on: nothing cached can be trusted."""
        if self.lease.fresh():
            LISTENER_LOST.inc()
        self.lease.lost()
        self.cache.clear()


_BY_ENGINE: WeakKeyDictionary[Engine, Coherence] = WeakKeyDictionary()


def register(engine: AsyncEngine, coherence: Coherence) -> None:
    _BY_ENGINE[engine.sync_engine] = coherence


def unregister(engine: AsyncEngine) -> None:
    _BY_ENGINE.pop(engine.sync_engine, None)


def of_bind(bind: Engine | Connection | AsyncEngine | AsyncConnection | None) -> Coherence | None:
    if isinstance(bind, AsyncEngine | AsyncConnection):
        bind = bind.sync_engine
    if isinstance(bind, Connection):
        bind = bind.engine
    return None if bind is None else _BY_ENGINE.get(bind)


def coherence_of(source: AsyncSession | async_sessionmaker[AsyncSession]) -> Coherence | None:
    """The coherence of the process that owns this session's (or sessionmaker's) engine."""
    bind = source.bind if isinstance(source, AsyncSession) else source.kw.get("bind")
    return of_bind(bind)
