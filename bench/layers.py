"""What each part of the per-request layer costs, in process (docs/performance.md).

Drives ASGI callables directly with a minimal scope, ``receive`` and ``send`` (no server, no
httpx: their own cost would drown what is measured) and reads ``time.process_time`` over N
requests. Each stage adds one part to the one before; the stages take turns batch by batch,
so that a busy moment of a shared machine lands on all of them alike, and each figure is the
median of its batches.

    .venv/bin/python -m bench.layers [--requests 20000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Form, Request
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message

from bench.asgi import http_scope
from tsp_auth.oauth.cors import CorsRoute
from tsp_auth.oauth.http import read_form
from tsp_auth.oauth.router import OAuthRoute
from tsp_auth.oauth.schemas import TokenForm
from tsp_auth.observability.limits import MAX_BODY_BYTES
from tsp_auth.observability.logs import BatchingStreamHandler, JsonFormatter
from tsp_auth.observability.middleware import RequestMiddleware

BATCH = 1000
FORM_BODY = b"grant_type=client_credentials&scope=tsp.decisions&client_id=cli_bench"


def _scope(method: str, path: str, body: bytes) -> dict[str, Any]:
    headers = [(b"user-agent", b"bench/1"), (b"accept", b"*/*")]
    if body:
        headers += [
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()),
        ]
    return http_scope(method, path, headers)


async def _drive(app: ASGIApp, scope: dict[str, Any], body: bytes, n: int) -> int:
    statuses: list[int] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    for _ in range(n):
        await app(dict(scope), receive, send)
    return statuses[-1]


async def _health() -> dict[str, str]:
    return {"status": "ok"}


def health_app(route_class: type[APIRoute] = APIRoute, **layer: Any) -> ASGIApp:
    """A bare FastAPI app with one ``GET /health``, behind the request layer if ``layer``."""
    app = FastAPI()
    # First, as in the service (app.ROUTERS): matched before the docs routes FastAPI adds.
    app.router.routes.insert(0, route_class("/health", _health, methods=["GET"]))
    if layer:
        app.add_middleware(RequestMiddleware, **layer)
    return app


async def _require_form(request: Request) -> None:
    """What the OAuth router ran on every request until issue 12 (a router-wide dependency)."""
    form = await request.form()
    assert len(set(form.keys())) == len(form.multi_items())


async def _form_model(form: Annotated[TokenForm, Form()]) -> dict[str, str]:
    return {"grant_type": form.grant_type}


async def _read_form(request: Request) -> dict[str, str]:
    return {"grant_type": (await read_form(request, TokenForm)).grant_type}


def form_app(endpoint: Callable[..., Awaitable[dict[str, str]]], dependency: bool) -> ASGIApp:
    app = FastAPI()
    dependencies = [Depends(_require_form)] if dependency else None
    route = APIRoute("/oauth/token", endpoint, methods=["POST"], dependencies=dependencies)
    app.router.routes.insert(0, route)
    return app


ALL_ON = {"max_body_bytes": MAX_BODY_BYTES, "metrics": True, "access_log": True}
ID_ONLY = {"max_body_bytes": None, "metrics": False, "access_log": False}

# (name, app, method, path, body)
STAGES: list[tuple[str, ASGIApp, str, str, bytes]] = [
    ("bare app", health_app(), "GET", "/health", b""),
    ("+ request id", health_app(**ID_ONLY), "GET", "/health", b""),
    ("+ access log", health_app(**{**ID_ONLY, "access_log": True}), "GET", "/health", b""),
    (
        "+ metrics",
        health_app(**{**ID_ONLY, "access_log": True, "metrics": True}),
        "GET",
        "/health",
        b"",
    ),
    ("+ body limit", health_app(**ALL_ON), "GET", "/health", b""),
    ("+ CORS (`CorsRoute`, no Origin)", health_app(CorsRoute, **ALL_ON), "GET", "/health", b""),
    (
        "`OAuthRoute` instead (CORS + no-store)",
        health_app(OAuthRoute, **ALL_ON),
        "GET",
        "/health",
        b"",
    ),
]
FORMS: list[tuple[str, ASGIApp, str, str, bytes]] = [
    (
        "`Form` model + router dependency",
        form_app(_form_model, True),
        "POST",
        "/oauth/token",
        FORM_BODY,
    ),
    ("`read_form` in the route", form_app(_read_form, False), "POST", "/oauth/token", FORM_BODY),
]


def _quiet_logging() -> None:
    """The service's logging (configure_logging), writing to /dev/null instead of stdout."""
    handler = BatchingStreamHandler(open(os.devnull, "w"))  # noqa: SIM115  (lives as long as we do)
    handler.setFormatter(JsonFormatter())
    logging.getLogger().handlers[:] = [handler]
    logging.getLogger().setLevel(logging.INFO)
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


def measure(stages: list[tuple[str, ASGIApp, str, str, bytes]], n: int, rounds: int) -> list[float]:
    """µs of CPU per request of each stage.

    Each round drives every stage with ``n`` requests in batches of ``BATCH``, the stages
    taking turns batch by batch, so that a busy moment of a shared machine lands on all of
    them alike; a stage's figure is the median of its batches.
    """
    loop = asyncio.new_event_loop()
    batches: list[list[float]] = [[] for _ in stages]
    for _, app, method, path, body in stages:
        status = loop.run_until_complete(_drive(app, _scope(method, path, body), body, 500))
        assert status == 200, status
    for _ in range(rounds * max(1, n // BATCH)):
        for index, (_, app, method, path, body) in enumerate(stages):
            started = time.process_time()
            loop.run_until_complete(_drive(app, _scope(method, path, body), body, BATCH))
            batches[index].append((time.process_time() - started) / BATCH * 1e6)
    loop.close()
    return [statistics.median(times) for times in batches]


def _table(
    title: str, stages: list[tuple[str, ASGIApp, str, str, bytes]], figures: list[float]
) -> None:
    print(f"\n| {title} | µs per request | added |\n| --- | ---: | ---: |")
    previous = None
    for (name, *_), micros in zip(stages, figures, strict=True):
        added = "" if previous is None else f"{micros - previous:+.1f}"
        print(f"| {name} | {micros:.1f} | {added} |")
        if not name.startswith("`OAuthRoute`"):
            previous = micros


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    _quiet_logging()
    # As the service does after start-up (cli._tune_garbage_collector): the apps built
    # above are frozen out of the collector's scans, young objects collected less often.
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)
    _table("per-request layer", STAGES, measure(STAGES, args.requests, args.rounds))
    _table("OAuth form body", FORMS, measure(FORMS, args.requests, args.rounds))


if __name__ == "__main__":
    main()
