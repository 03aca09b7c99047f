"""The lease arithmetic (coherence/lease.py): the latest database time a lease statement may
take effect falls before the moment its sender gives up on it, and the process stops serving
from its cache before the database's expiry."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from tsp_auth.coherence.lease import DatabaseClock, Lease

READ_AT = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_apply_by_counts_the_local_time_since_the_answer_less_the_drift() -> None:
    clock = DatabaseClock(READ_AT, local=100.0)
    # Gives up 1.5 s (local) after the answer was in hand; a clock 1 % fast: 1.485 s at least.
    assert clock.apply_by(101.5, drift=0.01) == READ_AT + timedelta(seconds=1.485)


def test_apply_by_never_precedes_the_reading_itself() -> None:
    clock = DatabaseClock(READ_AT, local=100.0)
    assert clock.apply_by(99.0, drift=0.01) == READ_AT


# Lease freshness by the local monotonic clock. Margins of seconds either side of the deadline,
# so a loaded machine cannot move a reading across it.
SECONDS, DRIFT = 100.0, 0.1  # the process counts 90 s from when the renewal was sent


def _renewed(sent_ago: float) -> tuple[Lease, list[str]]:
    cleared: list[str] = []
    lease = Lease(SECONDS, DRIFT, lambda: cleared.append("cleared"))
    lease.renewed(time.monotonic() - sent_ago)
    return lease, cleared


def test_a_lease_is_fresh_until_the_lease_less_the_drift_from_when_its_renewal_was_sent() -> None:
    assert _renewed(sent_ago=80)[0].fresh()
    # By the database, still 5 s to run; by the process's count (less the drift) it lapsed.
    assert not _renewed(sent_ago=95)[0].fresh()
    assert not _renewed(sent_ago=120)[0].fresh()


def test_a_lease_never_granted_or_lost_is_not_fresh() -> None:
    lease = Lease(SECONDS, DRIFT, lambda: None)
    assert not lease.fresh()
    lease.renewed(time.monotonic())
    assert lease.fresh()
    lease.lost()
    assert not lease.fresh()


def test_the_cache_is_cleared_when_a_lease_becomes_fresh_again_not_while_it_stays_fresh() -> None:
    lease, cleared = _renewed(sent_ago=0)
    assert cleared == ["cleared"]  # the first grant: invalidations may have been missed before
    lease.renewed(time.monotonic())
    assert cleared == ["cleared"]
    lease.lost()
    lease.renewed(time.monotonic())
    assert cleared == ["cleared", "cleared"]


def test_a_late_answer_to_an_older_renewal_never_shortens_the_lease() -> None:
    lease, _ = _renewed(sent_ago=0)
    lease.renewed(time.monotonic() - 95)  # answered after the newer one: its deadline passed
    assert lease.fresh()


def test_renewals_come_three_times_a_lease_and_writers_wait_one_lease_plus_a_margin() -> None:
    assert Lease(6.0, 0.01, lambda: None).renew_every == 2.0
    assert Lease(6.0, 0.01, lambda: None).writer_bound == 6.0 * 1.01 + 2.0
    assert Lease(0.9, 0.0, lambda: None).writer_bound == 0.9 + 0.5  # the margin's floor
