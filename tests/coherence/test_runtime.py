"""A process's coherence start and stop (coherence/runtime.py) when the database is gone:
stopping never fails on it, and says which lease it could not end."""

from __future__ import annotations

import logging

import pytest

from tsp_auth.coherence.bus import Listener
from tsp_auth.coherence.process import Coherence
from tsp_auth.coherence.runtime import Runtime
from tsp_auth.config import Settings
from tsp_auth.db import create_engine


async def test_a_lease_that_cannot_be_released_at_stop_is_logged_and_the_stop_completes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    nowhere = Settings(database_url="postgresql+asyncpg://postgres@127.0.0.1:1/gone")
    engine = create_engine(nowhere)
    runtime = Runtime(nowhere, engine)
    me = runtime.coherence.new_incarnation()  # as if its listener had registered
    try:
        with caplog.at_level(logging.WARNING, logger="tsp_auth.coherence.runtime"):
            await runtime.stop()
    finally:
        await engine.dispose()
    [record] = [r for r in caplog.records if r.name == "tsp_auth.coherence.runtime"]
    assert (record.levelno, record.msg) == (logging.WARNING, "coherence lease %s not released: %s")
    assert record.args is not None and record.args[0] == me
    assert isinstance(record.args[1], OSError)  # the refused connection, said as it was


async def test_a_listener_never_started_stops_at_once() -> None:
    """A shutdown after a start-up that failed before the listener ran."""
    settings = Settings(database_url="postgresql+asyncpg://postgres@127.0.0.1:1/gone")
    listener = Listener(Coherence(settings, shared=True), settings)
    await listener.stop()


def test_a_listener_runs_only_where_other_processes_may_cache_and_this_one_does() -> None:
    on_postgresql = "postgresql+asyncpg://postgres@127.0.0.1:1/gone"
    for url, entries, listens in (
        (on_postgresql, 100, True),
        (on_postgresql, 1, True),
        (on_postgresql, 0, False),  # caches nothing: nothing to invalidate, no lease to hold
        ("sqlite+aiosqlite:///unused.db", 100, False),  # one process: no one to hear from
    ):
        settings = Settings(database_url=url, cache_max_entries=entries)
        runtime = Runtime(settings, create_engine(settings))
        assert (runtime.listener is not None) is listens, (url, entries)
