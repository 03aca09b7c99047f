"""The HTTP scope the in-process benchmarks (``layers.py``, ``writes.py``) drive apps with."""

from __future__ import annotations

from typing import Any

Headers = list[tuple[bytes, bytes]]


def http_scope(method: str, path: str, headers: Headers) -> dict[str, Any]:
    """A minimal ASGI HTTP scope, as uvicorn would hand it to the app (plus a ``host``)."""
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"bench"), *headers],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }
