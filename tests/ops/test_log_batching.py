"""Log lines are written in batches; nothing waits past a warning, a flush or the interval."""

from __future__ import annotations

import io
import json
import logging
import time

import pytest

from tsp_auth.observability.logs import (
    FLUSH_INTERVAL_SECONDS,
    BatchingStreamHandler,
    JsonFormatter,
)


@pytest.fixture
def stream_and_log() -> tuple[io.StringIO, logging.Logger, BatchingStreamHandler]:
    stream = io.StringIO()
    handler = BatchingStreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger(f"test.batching.{id(stream)}")
    log.propagate = False
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    return stream, log, handler


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_info_lines_wait_and_go_out_together(
    stream_and_log: tuple[io.StringIO, logging.Logger, BatchingStreamHandler],
) -> None:
    stream, log, handler = stream_and_log
    log.info("first")  # the first line after a quiet spell goes out at once
    log.info("second")
    log.info("third")
    handler.written()
    assert [line["msg"] for line in _lines(stream)] == ["first"]
    handler.flush()
    assert [line["msg"] for line in _lines(stream)] == ["first", "second", "third"]


def test_a_warning_goes_out_at_once_with_what_waited(
    stream_and_log: tuple[io.StringIO, logging.Logger, BatchingStreamHandler],
) -> None:
    stream, log, _ = stream_and_log
    log.info("first")
    log.info("waiting")
    log.warning("trouble")
    assert [line["msg"] for line in _lines(stream)] == ["first", "waiting", "trouble"]


def test_a_line_after_the_interval_takes_the_waiting_ones_along(
    stream_and_log: tuple[io.StringIO, logging.Logger, BatchingStreamHandler],
) -> None:
    stream, log, handler = stream_and_log
    log.info("first")
    log.info("waiting")
    time.sleep(FLUSH_INTERVAL_SECONDS + 0.05)
    log.info("later")
    handler.written()
    assert [line["msg"] for line in _lines(stream)] == ["first", "waiting", "later"]


def test_a_full_batch_goes_out_without_waiting(
    stream_and_log: tuple[io.StringIO, logging.Logger, BatchingStreamHandler],
) -> None:
    stream, log, handler = stream_and_log
    log.info("first")
    for n in range(handler.MAX_PENDING_LINES):
        log.info("line %d", n)
    handler.written()
    assert len(_lines(stream)) == 1 + handler.MAX_PENDING_LINES


def test_the_periodic_hand_off_leaves_the_write_to_the_writer(
    stream_and_log: tuple[io.StringIO, logging.Logger, BatchingStreamHandler],
) -> None:
    stream, log, handler = stream_and_log
    log.info("first")
    log.info("waiting")
    handler.hand_off()  # what flush_logs_periodically does on the event loop
    handler.written()
    assert [line["msg"] for line in _lines(stream)] == ["first", "waiting"]
    handler.hand_off()  # nothing waiting: nothing written twice
    handler.written()
    assert len(_lines(stream)) == 2
