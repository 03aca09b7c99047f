"""The one clock (STYLE §6). Everything that needs the time asks here."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time, timezone-aware UTC, truncated to microseconds both databases keep."""
    return datetime.now(UTC)
