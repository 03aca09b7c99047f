"""One object per app, found by the app's sessionmaker: a group committer, a read batcher.

The sessionmaker is a test's or the running app's, made by its lifespan; what is kept for it
must not outlive it, nor keep it alive. So the registry holds the sessionmaker weakly, and
what is made for it is handed not the sessionmaker but ``alive_of(sessionmaker)``: a function
giving it back while it lives (and raising once the app is gone, rather than writing or
reading through a stale one). The owner makes the object itself on a miss (``found``, then
``keep``): the registry calls nothing of its users (docs/architecture.md, "The call path").
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


def alive_of(sessionmaker: Sessions) -> Alive:
    weak = ref(sessionmaker)

    def alive() -> Sessions:
        found = weak()
        if found is None:
            raise RuntimeError("the app of this sessionmaker is gone")
        return found

    return alive


class PerApp(Generic[T]):
    """What was made for each sessionmaker, kept while it lives.

    ``per_loop``: found only on the event loop it was made on (what holds futures belongs to
    one loop: a read batcher); a group committer, drained at shutdown, is made once.
    """

    def __init__(self, *, per_loop: bool = False) -> None:
        self._per_loop = per_loop
        self._made: WeakKeyDictionary[Sessions, tuple[asyncio.AbstractEventLoop | None, T]]
        self._made = WeakKeyDictionary()

    def found(self, sessionmaker: Sessions) -> T | None:
        """What was made for ``sessionmaker`` (on this loop, if ``per_loop``), or None."""
        found = self._made.get(sessionmaker)
        if found is None or found[0] is not self._loop():
            return None
        return found[1]

    def keep(self, sessionmaker: Sessions, made: T) -> T:
        """Keep ``made`` for ``sessionmaker`` (and this loop, if ``per_loop``)."""
        self._made[sessionmaker] = (self._loop(), made)
        return made

    def made_for(self, sessionmaker: Sessions) -> T | None:
        """What was made for ``sessionmaker`` so far, on any loop (shutdown)."""
        found = self._made.get(sessionmaker)
        return None if found is None else found[1]

    def _loop(self) -> asyncio.AbstractEventLoop | None:
        return asyncio.get_running_loop() if self._per_loop else None
