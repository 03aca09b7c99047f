"""Structured JSON logs: one object per line, with the request id when there is one."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from datetime import UTC, datetime
from typing import Any, TextIO

import orjson

from tsp_auth.kit.request_id import current_request_id

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


class BatchingStreamHandler(logging.StreamHandler[TextIO]):
    """A stream handler that writes lines in batches, not one by one.

    ``StreamHandler`` writes and flushes every record: with ``PYTHONUNBUFFERED`` (as in most
    containers) that is a ``write`` system call per access line, on every request. Here info
    lines wait in memory and go out together: at most ``FLUSH_INTERVAL_SECONDS`` (or
    ``MAX_PENDING_LINES``) later, by the next line or by ``flush_logs``, which the service
    calls on that interval. A warning or an error goes out at once, with what waited before it.
    """

    MAX_PENDING_LINES = 512

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self._pending: list[str] = []
        self._flush_after = 0.0

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._pending.append(self.format(record))
            if (
                record.levelno >= logging.WARNING
                or len(self._pending) >= self.MAX_PENDING_LINES
                or time.monotonic() >= self._flush_after
            ):
                self.flush()
        except Exception:
            self.handleError(record)

    def flush(self) -> None:
        self.acquire()
        try:
            if self._pending:
                self.stream.write(self.terminator.join(self._pending) + self.terminator)
                self._pending.clear()
            super().flush()
            self._flush_after = time.monotonic() + FLUSH_INTERVAL_SECONDS
        finally:
            self.release()


def flush_logs() -> None:
    """Write out every buffered log line (called each ``FLUSH_INTERVAL_SECONDS``)."""
    for handler in logging.getLogger().handlers:
        handler.flush()


async def flush_logs_periodically() -> None:
    """Run for the service's lifetime: buffered info lines reach the stream within a second."""
    while True:
        await asyncio.sleep(FLUSH_INTERVAL_SECONDS)
        flush_logs()


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
