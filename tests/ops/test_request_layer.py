"""The per-request layer (``observability.middleware``): one pure ASGI middleware whose parts
each keep their behaviour: request id, body limit, metrics, access line, last-resort 500."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from prometheus_client import REGISTRY
from sqlalchemy import func, select
from starlette.types import Message

from tsp_auth.models import Partner
from tsp_auth.observability.access_log import AccessRecord
from tsp_auth.observability.limits import MAX_BODY_BYTES
from tsp_auth.observability.logs import BatchingStreamHandler, JsonFormatter, timestamp
from tsp_auth.observability.middleware import RequestMiddleware


def _requests(route: str, status: str) -> float:
    labels = {"route": route, "method": "POST", "status": status}
    return REGISTRY.get_sample_value("tsp_auth_http_requests_total", labels) or 0.0


async def _partners(app: FastAPI) -> int:
    async with app.state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Partner)) or 0)


async def test_a_refused_body_is_counted_logged_and_named(
    app: FastAPI, client: AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tsp_auth.access")
    counted = _requests("<unmatched>", "413")
    before = await _partners(app)

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b" " * 8192

    streamed = await client.post(
        "/v1/partners",
        content=chunks(),
        headers={"content-type": "application/json", "X-Request-ID": "big-1"},
    )
    declared = await client.post(
        "/v1/partners", content=b" " * (MAX_BODY_BYTES + 1), headers={"X-Request-ID": "big-2"}
    )
    assert (streamed.status_code, declared.status_code) == (413, 413)
    assert streamed.headers["content-type"] == "application/problem+json"
    assert [streamed.headers["x-request-id"], declared.headers["x-request-id"]] == [
        "big-1",
        "big-2",
    ]
    assert streamed.json()["request_id"] == "big-1"
    assert await _partners(app) == before
    lines = [r for r in caplog.records if r.name == "tsp_auth.access"]
    assert [r.__dict__["status"] for r in lines] == [413, 413]
    # The declared one is refused before routing; the streamed one inside its route.
    assert _requests("<unmatched>", "413") == counted + 1
    assert lines[0].__dict__["route"] == "/v1/partners"


async def _raw(app: Any, headers: list[tuple[bytes, bytes]], body: bytes = b"") -> list[Message]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/partners",
        "raw_path": b"/v1/partners",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


@pytest.mark.parametrize("length", [b"-1", b"lots", str(MAX_BODY_BYTES + 1).encode()])
async def test_a_declared_length_that_is_not_allowed_is_413(app: FastAPI, length: bytes) -> None:
    sent = await _raw(app, [(b"content-length", length)])
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["error"] == "payload_too_large"


async def test_the_first_request_id_header_decides(app: FastAPI) -> None:
    unsafe_first = [(b"x-request-id", b"bad id"), (b"x-request-id", b"good-id")]
    safe_first = [(b"x-request-id", b"good-id"), (b"x-request-id", b"other")]
    made = dict((await _raw(app, unsafe_first))[0]["headers"])[b"x-request-id"]
    kept = dict((await _raw(app, safe_first))[0]["headers"])[b"x-request-id"]
    assert (made != b"good-id", kept) == (True, b"good-id")


def _failing_app() -> FastAPI:
    inner = FastAPI()
    seen: list[float | None] = []

    @inner.post("/boom")
    async def boom() -> None:
        seen.append(REGISTRY.get_sample_value("tsp_auth_http_requests_in_flight"))
        raise RuntimeError("boom")

    inner.add_middleware(RequestMiddleware)
    inner.state.seen = seen
    return inner


async def test_an_unhandled_error_is_a_500_with_the_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="tsp_auth.access")
    failing = _failing_app()
    transport = ASGITransport(app=failing, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.post("/boom", headers={"X-Request-ID": "rid-500"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "rid-500"
    assert response.json()["error"] == "server_error"
    assert response.json()["request_id"] == "rid-500"
    # The gauge read the plain count while the request ran, and it is back down since.
    assert failing.state.seen == [1.0]
    assert REGISTRY.get_sample_value("tsp_auth_http_requests_in_flight") == 0.0
    statuses = [r.__dict__.get("status") for r in caplog.records if r.name == "tsp_auth.access"]
    assert statuses[-1] == 500


async def test_the_access_line_has_its_fields(client: AsyncClient) -> None:
    stream = io.StringIO()
    handler = BatchingStreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    access = logging.getLogger("tsp_auth.access")
    access.addHandler(handler)
    level = access.level
    access.setLevel(logging.INFO)
    try:
        await client.get("/health?token=secret", headers={"X-Request-ID": "line-1"})
        handler.flush()
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
    (line,) = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert set(line) == {
        "ts",
        "level",
        "logger",
        "msg",
        "request_id",
        "method",
        "route",
        "status",
        "duration_ms",
    }
    assert (line["logger"], line["msg"], line["request_id"]) == (
        "tsp_auth.access",
        "request",
        "line-1",
    )
    assert (line["method"], line["route"], line["status"]) == ("GET", "/health", 200)
    assert datetime.fromisoformat(line["ts"]).tzinfo is not None


def test_the_timestamp_is_the_isoformat_of_the_time() -> None:
    rng = random.Random(12)
    edges = [1.0, 1_700_000_000.0, 1_700_000_000.0000005, 1_700_000_000.9999996, 1.0000015]
    for created in edges + [rng.uniform(0, 4_000_000_000) for _ in range(20_000)]:
        assert timestamp(created) == datetime.fromtimestamp(created, UTC).isoformat()


def test_the_access_record_reads_as_any_record() -> None:
    record = AccessRecord("GET", "/health", 200, 1.25, "req-1")
    plain = logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s %(filename)s:%(lineno)d %(message)s"
    )
    assert plain.format(record).endswith(" INFO tsp_auth.access (unknown file):0 request")
    # What Logger.info makes once configure_logging has turned the caller's frame off.
    made = logging.getLogger("tsp_auth.access").makeRecord(
        "tsp_auth.access",
        logging.INFO,
        "(unknown file)",
        0,
        "request",
        (),
        None,
        "(unknown function)",
    )
    for name in ("levelname", "levelno", "module", "funcName", "exc_info", "stack_info", "args"):
        assert getattr(record, name) == getattr(made, name), name
    assert abs(record.created - made.created) < 1
    assert json.loads(JsonFormatter().format(record))["duration_ms"] == 1.25


def test_the_access_line_is_formatted_as_any_record_with_its_fields() -> None:
    """The short path of the access line (``logs._access_entry``) writes what the general
    one writes: same keys, same order, same values; a field a filter added takes the
    general path and is written too."""
    record = AccessRecord("POST", "/v1/decisions", 403, 0.42, "req-7")
    short = JsonFormatter().format(record)
    record.shop = "s-1"  # as a filter might add
    general = json.loads(JsonFormatter().format(record))
    assert general.pop("shop") == "s-1"
    assert list(general.items()) == list(json.loads(short).items())
    assert general["request_id"] == "req-7"
    assert list(general)[4:] == ["request_id", "method", "route", "status", "duration_ms"]


async def test_each_direct_request_has_one_line_one_count_and_its_own_id(
    client: AsyncClient,
) -> None:
    """Twenty JWK Set requests at once (a direct route, its answer reused): each gets one
    access line with its own request id (echoed, or made and echoed), and the counter and the
    histogram move by exactly twenty; nothing is lost in the batches or the writer thread."""
    stream = io.StringIO()
    handler = BatchingStreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    access = logging.getLogger("tsp_auth.access")
    access.addHandler(handler)
    level = access.level
    access.setLevel(logging.INFO)
    route = "/.well-known/jwks.json"
    count = {"route": route, "method": "GET", "status": "200"}
    timed = {"route": route, "method": "GET"}
    counted = REGISTRY.get_sample_value("tsp_auth_http_requests_total", count) or 0.0
    observed = REGISTRY.get_sample_value("tsp_auth_http_request_duration_seconds_count", timed)
    try:
        answers = await asyncio.gather(
            *(
                client.get(route, headers={"X-Request-ID": f"jwks-{n}"} if n % 2 else {})
                for n in range(20)
            )
        )
        handler.flush()
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
    lines = [json.loads(text) for text in stream.getvalue().splitlines()]
    echoed = [answer.headers["x-request-id"] for answer in answers]
    assert [answer.status_code for answer in answers] == [200] * 20
    assert len(set(echoed)) == 20
    assert [echoed[n] for n in range(1, 20, 2)] == [f"jwks-{n}" for n in range(1, 20, 2)]
    assert sorted(line["request_id"] for line in lines) == sorted(echoed)
    assert {(line["route"], line["status"], line["method"]) for line in lines} == {
        (route, 200, "GET")
    }
    assert REGISTRY.get_sample_value("tsp_auth_http_requests_total", count) == counted + 20
    after = REGISTRY.get_sample_value("tsp_auth_http_request_duration_seconds_count", timed)
    assert after == (observed or 0.0) + 20
