"""When this process may serve from its cache: the lease arithmetic (docs/coherence.md).

The database keeps the lease: a renewal sets ``expires_at = now() + lease`` by the database
clock, the one wall clock of the protocol. Writers stop waiting for a process once its lease
has lapsed by that clock, so the process must have stopped serving from its cache by then. It
judges by its own monotonic clock only: the renewal was sent at local time ``sent``, and the
database read its clock after that, so the database's expiry is at least ``sent + lease`` in
real time. A local clock may run slow by at most ``drift`` (a rate), so the process counts
``lease * (1 - drift)`` from ``sent``: its deadline falls before the database's expiry.

A process that was not fresh (never registered, lapsed, or listener lost) empties its cache
the moment it becomes fresh again: it may have missed invalidations meanwhile.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class Lease:
    """This process's lease as it knows it: a local monotonic deadline."""

    def __init__(self, seconds: float, drift: float, on_lapse_end: Callable[[], None]) -> None:
        self.seconds = seconds
        self.drift = drift
        self._deadline = float("-inf")
        self._connected = False
        self._on_lapse_end = on_lapse_end

    def fresh(self) -> bool:
        return self._connected and time.monotonic() < self._deadline

    def renewed(self, sent: float) -> None:
        """A renewal sent at monotonic ``sent`` was answered by the database."""
        if not self.fresh():
            self._on_lapse_end()  # cleared before the first answer from the cache
        self._connected = True
        self._deadline = max(self._deadline, sent + self.seconds * (1.0 - self.drift))

    def lost(self) -> None:
        """The listener is gone: stop serving from the cache at once."""
        self._connected = False
        self._deadline = float("-inf")

    @property
    def renew_every(self) -> float:
        return self.seconds / 3

    @property
    def writer_bound(self) -> float:
        """How long a writer waits at most: one lease by its own clock, plus a margin."""
        return self.seconds * (1.0 + self.drift) + max(0.5, self.seconds / 3)
