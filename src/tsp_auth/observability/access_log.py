"""The access line: one log record per request, written by the request layer.

Fields: ``method``, ``route`` (the path template, never the raw path or query: no token may
reach a log line), ``status`` and ``duration_ms``, beside what every line carries (``ts``,
``level``, ``logger``, ``msg``, ``request_id``; ``logs.JsonFormatter``).
"""

from __future__ import annotations

import logging
import time

ACCESS_LOG = logging.getLogger("tsp_auth.access")
# What LogRecord measures relativeCreated from.
_START: float = logging._startTime  # type: ignore[attr-defined]


def _constant_fields() -> dict[str, object]:
    """What a ``LogRecord`` of the access line holds that is the same for every line."""
    made = logging.LogRecord(
        ACCESS_LOG.name,
        logging.INFO,
        "(unknown file)",
        0,
        "request",
        (),
        None,
        "(unknown function)",
    )
    fields = dict(made.__dict__)
    for varying in ("created", "msecs", "relativeCreated"):
        del fields[varying]
    # configure_logging turns these off for every record; the access line never needs them.
    fields.update(thread=None, threadName=None, process=None, processName=None)
    return fields


class AccessRecord(logging.LogRecord):
    """The record of one access line, made without ``LogRecord.__init__``.

    That constructor works out, for every record, what is the same for all of ours (level
    name, the caller's file and module, ...) and took the biggest share of the line's cost
    (docs/performance.md). Here those attributes are copied in from one record made at
    import, so a handler (the JSON formatter, pytest's ``caplog``, a ``%(levelname)s``
    format) reads it as any other record.
    """

    _CONSTANT = _constant_fields()

    def __init__(
        self, method: str, route: str, status: int, duration_ms: float, request_id: str
    ) -> None:
        # A copy of the constant fields, then the line's own: a dict's copy is one block
        # copied, where ``update`` inserts key by key (14.3k -> 11.2k instructions, callgrind).
        self.__dict__ = fields = self._CONSTANT.copy()
        created = time.time()
        # As LogRecord computes them (CPython 3.11, gh-89047).
        fields["created"] = created
        fields["msecs"] = int((created - int(created)) * 1000) + 0.0
        fields["relativeCreated"] = (created - _START) * 1000
        # Carried, not read from the context when formatted: the line is the request's own
        # whoever formats it and wherever (``logs.JsonFormatter``).
        fields["request_id"] = request_id
        fields["method"] = method
        fields["route"] = route
        fields["status"] = status
        fields["duration_ms"] = duration_ms


# How many attributes an access record has as made: a record with more was given fields by
# a filter, and is formatted the general way (``logs.JsonFormatter``).
ACCESS_FIELDS = len(AccessRecord("GET", "/", 200, 0.0, "-").__dict__)


def access_line(method: str, route: str, status: int, seconds: float, request_id: str) -> None:
    """Write the access line of one request, if the access logger takes INFO lines."""
    if ACCESS_LOG.isEnabledFor(logging.INFO):
        record = AccessRecord(method, route, status, round(seconds * 1000, 2), request_id)
        ACCESS_LOG.handle(record)
