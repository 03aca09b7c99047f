"""One object per app, found by the app's sessionmaker: a group committer, a read batcher.

The sessionmaker is a test's or the running app's, made by its lifespan; what is kept for it
must not outlive it, nor keep it alive. So the registry holds the sessionmaker weakly, and
what it makes is handed not the sessionmaker but ``alive``: a function giving it back while it
lives (and raising once the app is gone, rather than writing or reading through a stale one).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar
from weakref import WeakKeyDictionary, ref

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

T = TypeVar("T")
Sessions = async_sessionmaker[AsyncSession]
Alive = Callable[[], Sessions]


def _alive(sessionmaker: Sessions) -> Alive:
    weak = ref(sessionmaker)

    def alive() -> Sessions:
        found = weak()
        if found is None:
            raise RuntimeError("the app of this sessionmaker is gone")
        return found

    return alive


class PerApp(Generic[T]):
    """``make(alive)`` once per sessionmaker, on first use.

    ``per_loop``: made again on another event loop (what holds futures belongs to one loop:
    a read batcher); a group committer, drained at shutdown, is made once.
    """

    def __init__(self, make: Callable[[Alive], T], *, per_loop: bool = False) -> None:
        self._make = make
        self._per_loop = per_loop
        self._made: WeakKeyDictionary[Sessions, tuple[asyncio.AbstractEventLoop | None, T]]
        self._made = WeakKeyDictionary()

    def of(self, sessionmaker: Sessions) -> T:
        loop = asyncio.get_running_loop() if self._per_loop else None
        found = self._made.get(sessionmaker)
        if found is not None and found[0] is loop:
            return found[1]
        made = self._make(_alive(sessionmaker))
        self._made[sessionmaker] = (loop, made)
        return made

    def made_for(self, sessionmaker: Sessions) -> T | None:
        """What was made for ``sessionmaker`` so far, if anything (shutdown)."""
        found = self._made.get(sessionmaker)
        return None if found is None else found[1]
