"""The server freezes what its start-up built (``server.freeze_heap``): the collector never
scans it again, so no full collection under load walks the engine, pools and caches."""

from __future__ import annotations

import gc
from typing import Any

import uvicorn

from tsp_auth.server import _Server


class _Built:
    """Something the lifespan builds and keeps, as the app keeps its engine."""


async def test_what_the_lifespan_built_is_frozen_once_started() -> None:
    kept: list[_Built] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "lifespan"
        await receive()
        kept.append(_Built())
        await send({"type": "lifespan.startup.complete"})
        await receive()
        await send({"type": "lifespan.shutdown.complete"})

    config = uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="on", log_level="warning")
    config.load()
    server = _Server(config)
    server.lifespan = config.lifespan_class(config)  # as Server._serve does
    try:
        await server.startup()
        # gc.get_objects() lists what the collector scans; the permanent generation is not in it.
        assert not any(type(item) is _Built for item in gc.get_objects())
        assert kept and gc.get_freeze_count() > 0
    finally:
        await server.shutdown()
        gc.unfreeze()
    assert any(type(item) is _Built for item in gc.get_objects())
