from __future__ import annotations

import json
import logging
import re

import pytest
from httpx import AsyncClient


async def test_request_id_is_taken_from_the_caller_and_echoed(client: AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"


async def test_request_id_is_made_when_absent_or_unsafe(client: AsyncClient) -> None:
    made = await client.get("/health")
    unsafe = await client.get("/health", headers={"X-Request-ID": "bad id\twith spaces"})
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
    assert re.fullmatch(r"[0-9a-f]{32}", unsafe.headers["x-request-id"])
    assert made.headers["x-request-id"] != unsafe.headers["x-request-id"]


async def test_errors_carry_the_request_id(client: AsyncClient) -> None:
    response = await client.get("/nope", headers={"X-Request-ID": "rid-42"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "/problems/not_found",
        "title": "There is no such resource, or it belongs to someone else.",
        "status": 404,
        "detail": "Not Found",
        "instance": "/nope",
        "error": "not_found",
        "request_id": "rid-42",
    }


async def test_oauth_errors_keep_the_rfc6749_body_with_the_request_id(client: AsyncClient) -> None:
    response = await client.post(
        "/oauth/token", data={"grant_type": "password"}, headers={"X-Request-ID": "rid-43"}
    )
    assert response.status_code in (400, 401)
    assert response.headers["content-type"] == "application/json"
    assert set(response.json()) == {"error", "error_description", "request_id"}
    assert response.json()["request_id"] == "rid-43"


async def test_wrong_method_is_a_clean_405(client: AsyncClient) -> None:
    response = await client.post("/health")
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"


async def test_metrics_count_requests_by_route_template(client: AsyncClient) -> None:
    await client.get("/health")
    await client.get("/no/such/route")
    text = (await client.get("/metrics")).text
    assert re.search(
        r'tsp_auth_http_requests_total\{method="GET",route="/health",status="200"\} \d', text
    )
    assert 'route="<unmatched>",status="404"' in text
    assert "tsp_auth_http_request_duration_seconds_bucket" in text
    assert "tsp_auth_http_requests_in_flight" in text


async def test_one_json_log_line_per_request_without_query(
    client: AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tsp_auth.access")
    await client.get("/health?token=secret-value", headers={"X-Request-ID": "log-1"})
    records = [r for r in caplog.records if r.name == "tsp_auth.access"]
    assert len(records) == 1
    record = records[0]
    assert record.__dict__["route"] == "/health"
    assert record.__dict__["status"] == 200
    from tsp_auth.observability.logs import JsonFormatter

    line = JsonFormatter().format(record)
    assert json.loads(line)["route"] == "/health"
    assert "secret-value" not in line
