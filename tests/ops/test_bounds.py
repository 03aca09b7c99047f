"""Oversized, malformed and non-UTF-8 input gets a 4xx in the one error shape, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator

from httpx import AsyncClient

from tests.factories import Factory
from tsp_auth.observability.limits import MAX_BODY_BYTES


def _is_error_shape(body: dict[str, object]) -> bool:
    """RFC 9457 problem details (``/v1``) or an RFC 6749 body (``/oauth``), with the code."""
    problem = {"type", "title", "status", "detail", "error", "request_id"} <= body.keys()
    oauth = {"error", "error_description", "request_id"} <= body.keys()
    return problem or oauth


async def test_declared_oversized_body_is_413(client: AsyncClient) -> None:
    response = await client.post(
        "/v1/partners",
        content=b"{" + b" " * MAX_BODY_BYTES + b"}",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
    assert _is_error_shape(response.json())


async def test_refusals_before_any_route_are_not_cacheable(client: AsyncClient) -> None:
    too_large = await client.post(
        "/oauth/token",
        content=b"grant_type=" + b"x" * MAX_BODY_BYTES,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    wrong_method = await client.get("/oauth/token")
    assert (too_large.status_code, wrong_method.status_code) == (413, 405)
    for response in (too_large, wrong_method):
        assert response.headers["cache-control"] == "no-store"
        assert _is_error_shape(response.json())


async def test_streamed_oversized_body_is_413(client: AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b" " * 8192

    response = await client.post(
        "/v1/partners", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


async def test_non_utf8_and_malformed_json_are_400(client: AsyncClient, factory: Factory) -> None:
    headers = {
        **await factory.headers(await factory.operator()),
        "content-type": "application/json",
    }
    for body in (b'{"name": "\xff\xfe"}', b'{"name": ', b"\x00\x01\x02", b"[]"):
        response = await client.post("/v1/partners", content=body, headers=headers)
        assert response.status_code == 400, body
        assert response.json()["error"] == "invalid_request"
        assert _is_error_shape(response.json())


async def test_oversized_header_value_is_refused_cleanly(client: AsyncClient) -> None:
    response = await client.get("/v1/me", headers={"Authorization": "Bearer " + "a" * 20000})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"
