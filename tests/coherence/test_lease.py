"""The lease arithmetic (coherence/lease.py): the latest database time a lease statement may
take effect falls before the moment its sender gives up on it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tsp_auth.coherence.lease import DatabaseClock

READ_AT = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_apply_by_counts_the_local_time_since_the_answer_less_the_drift() -> None:
    clock = DatabaseClock(READ_AT, local=100.0)
    # Gives up 1.5 s (local) after the answer was in hand; a clock 1 % fast: 1.485 s at least.
    assert clock.apply_by(101.5, drift=0.01) == READ_AT + timedelta(seconds=1.485)


def test_apply_by_never_precedes_the_reading_itself() -> None:
    clock = DatabaseClock(READ_AT, local=100.0)
    assert clock.apply_by(99.0, drift=0.01) == READ_AT
