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

A lease statement must not take effect once the process has given up on it (its connection
stalled; the statement may still be in flight and reach the database when the link heals).
Each one therefore carries the latest database time at which it may apply (``apply_by``),
counted from the database time of the previous answer on the same connection.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class DatabaseClock:
    """One reading of the database clock (``now()`` of an answered statement), and the local
    monotonic time once that answer was in hand: the database read its clock before then."""

    at: datetime
    local: float

    def apply_by(self, give_up: float, drift: float) -> datetime:
        """The latest database time at which a statement this process gives up on at local
        monotonic ``give_up`` may still take effect. In real time, at least
        ``give_up - local`` passed between the reading and the giving up, less ``drift`` if the
        local clock runs fast: so the bound falls before the giving up."""
        return self.at + timedelta(seconds=max(0.0, (give_up - self.local) * (1.0 - drift)))


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
