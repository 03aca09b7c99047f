"""Structured JSON logs: one object per line, with the request id when there is one."""

from __future__ import annotations

import asyncio
import logging
import queue
import sys
import threading
import time
import traceback
from datetime import UTC, datetime
from typing import Any, TextIO

import orjson

from tsp_auth.kit.request_id import current_request_id
from tsp_auth.observability.access_log import ACCESS_FIELDS, AccessRecord

_RESERVED = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "color_message"}

# An info line waits at most this long in the stream's buffer (warnings and above never wait).
FLUSH_INTERVAL_SECONDS = 1.0


# The second of the last line stamped, and its text (one tuple, swapped whole: thread-safe).
_stamped_second: tuple[int, str] = (-1, "")


def timestamp(created: float) -> str:
    """``datetime.fromtimestamp(created, UTC).isoformat()``, the same text, at a third of the
    cost: the date and time of day are worked out once per second, not once per line."""
    global _stamped_second
    second = int(created)
    micros = round((created - second) * 1e6)  # half to even, as datetime rounds
    if micros >= 1_000_000:
        second, micros = second + 1, micros - 1_000_000
    if _stamped_second[0] != second:
        _stamped_second = (second, datetime.fromtimestamp(second, UTC).isoformat()[:19])
    prefix = _stamped_second[1]
    return f"{prefix}.{micros:06d}+00:00" if micros else f"{prefix}+00:00"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        if type(record) is AccessRecord and len(record.__dict__) == ACCESS_FIELDS:
            return _access_entry(record)
        entry: dict[str, Any] = {
            "ts": timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = current_request_id()
        if request_id is not None:
            entry["request_id"] = request_id
        entry.update({k: v for k, v in record.__dict__.items() if k not in _RESERVED})
        if record.exc_info:
            entry["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
        # orjson: the formatter runs for the access line of every request.
        return orjson.dumps(entry, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


def _access_entry(record: Any) -> str:
    """The access line of every request: the general ``format`` made short, the same JSON
    (its keys in the same order: the line's own fields follow ``request_id``)."""
    return orjson.dumps(
        {
            "ts": timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": record.request_id,
            "method": record.method,
            "route": record.route,
            "status": record.status,
            "duration_ms": record.duration_ms,
        },
        default=str,
    ).decode()


class _Writer:
    """One thread that writes handed-off batches to the stream, in order.

    A ``write`` to a pipe (a container's stdout) blocks while its reader is slow; done on the
    event loop, that held every request behind it (docs/performance.md, "A flat tail").
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._batches: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._done = threading.Condition()
        self._handed = self._written = 0
        self._thread: threading.Thread | None = None

    def put(self, text: str) -> None:
        with self._done:
            self._handed += 1
        if self._thread is None or not self._thread.is_alive():  # first use, or after a fork
            self._thread = threading.Thread(target=self._run, name="log-writer", daemon=True)
            self._thread.start()
        self._batches.put(text)

    def wait_written(self) -> None:
        """Return once every batch handed off so far is written and the stream flushed."""
        with self._done:
            self._done.wait_for(lambda: self._written >= self._handed)

    def _run(self) -> None:
        while True:
            text = self._batches.get()
            try:
                self._stream.write(text)
                if self._batches.empty():
                    self._stream.flush()
            except Exception:  # the stream is gone (closed at exit): say so where we can
                traceback.print_exc(file=sys.__stderr__)
            with self._done:
                self._written += 1
                self._done.notify_all()


class BatchingStreamHandler(logging.StreamHandler[TextIO]):
    """A stream handler that writes lines in batches, not one by one, and not on the loop.

    ``StreamHandler`` writes and flushes every record: with ``PYTHONUNBUFFERED`` (as in most
    containers) that is a ``write`` system call per access line, on every request. Here info
    lines wait in memory and are handed to a writer thread together: at most
    ``FLUSH_INTERVAL_SECONDS`` (or ``MAX_PENDING_LINES``) later, by the next line or by
    ``flush_logs_periodically``. A warning or an error is written at once, with what waited
    before it, before ``emit`` returns; so is everything by ``flush`` (shutdown).
    """

    MAX_PENDING_LINES = 512

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self._pending: list[str] = []
        self._flush_after = 0.0
        self._writer = _Writer(stream)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._pending.append(self.format(record))
            if record.levelno >= logging.WARNING:
                self.flush()
            elif (
                len(self._pending) >= self.MAX_PENDING_LINES
                or time.monotonic() >= self._flush_after
            ):
                self.hand_off()
        except Exception:
            self.handleError(record)

    def hand_off(self) -> None:
        """Give the lines waiting to the writer thread, without waiting for the write."""
        self.acquire()
        try:
            if self._pending:
                lines, self._pending = self._pending, []
                self._writer.put(self.terminator.join(lines) + self.terminator)
            self._flush_after = time.monotonic() + FLUSH_INTERVAL_SECONDS
        finally:
            self.release()

    def written(self) -> None:
        """Wait until what was handed off is written (not the lines still waiting)."""
        self._writer.wait_written()

    def flush(self) -> None:
        """Write every line, waiting included, and return once it is written."""
        self.hand_off()
        self._writer.wait_written()


def hand_off_logs() -> None:
    """Hand the waiting lines of each batching handler to its writer (on the event loop:
    never waits for a write); other handlers are flushed."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, BatchingStreamHandler):
            handler.hand_off()
        else:
            handler.flush()


def flush_logs() -> None:
    """Write out every buffered log line (called each ``FLUSH_INTERVAL_SECONDS``)."""
    for handler in logging.getLogger().handlers:
        handler.flush()


async def flush_logs_periodically() -> None:
    """Run for the service's lifetime: buffered info lines reach the stream within a second."""
    while True:
        await asyncio.sleep(FLUSH_INTERVAL_SECONDS)
        hand_off_logs()


def configure_logging(level: str) -> None:
    # What our lines never carry, not worked out per record (Python logging HOWTO,
    # "Optimization"): the caller's file and line, thread, process and task names.
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    handler = BatchingStreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's own access log would print the raw path (and so any query); ours replaces it.
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # httpx logs every webhook POST with its full URL at INFO, and a receiver's URL may carry
    # a credential in its query; the worker's own lines count the outcomes instead.
    logging.getLogger("httpx").setLevel(logging.WARNING)
