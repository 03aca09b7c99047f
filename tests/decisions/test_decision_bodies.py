"""The decision route reads its JSON body itself (``json_body.read_json``): bad bodies get the
answers FastAPI's body parameter gave, in the problem shape, and nothing else changes."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

VALID = b'{"token": "t", "action": "seller_center.orders", "shop_id": "s"}'
NOT_AN_OBJECT = "body: Input should be a valid dictionary or object to extract fields from"


@pytest.mark.parametrize(
    ("content_type", "body", "detail", "pointer"),
    [
        ("application/json", b"{", "1: JSON decode error", "#/1"),
        ("application/json", b"[]", NOT_AN_OBJECT, "#"),
        ("application/json", b"null", NOT_AN_OBJECT, "#"),
        ("text/plain", VALID, NOT_AN_OBJECT, "#"),
        ("application/json", b"", "body: Field required", "#"),
        ("application/json", b'{"token": 1, "action": "a", "shop_id": "s"}', None, "#/token"),
        ("application/json", VALID[:-1] + b', "x": 1}', "x: Extra inputs are not permitted", "#/x"),
    ],
)
async def test_a_bad_body_is_a_400_problem(
    client: AsyncClient, content_type: str, body: bytes, detail: str | None, pointer: str
) -> None:
    response = await client.post(
        "/v1/decisions", content=body, headers={"content-type": content_type}
    )

    assert response.status_code == 400
    problem = response.json()
    assert problem["error"] == "invalid_request"
    assert [error["pointer"] for error in problem["errors"]] == [pointer]
    if detail is not None:
        assert problem["detail"] == detail


@pytest.mark.parametrize("content_type", ["application/json", "application/merge-patch+json"])
async def test_a_json_body_of_any_json_type_is_answered(
    client: AsyncClient, content_type: str
) -> None:
    response = await client.post(
        "/v1/decisions", content=VALID, headers={"content-type": content_type}
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "allow": False,
        "reason": "invalid_session",
        "acting_as": None,
        "actor": None,
    }
