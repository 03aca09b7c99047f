"""Every error answer the suite receives outside ``/oauth`` is checked against the documented
problem schema (RFC 9457), by a response hook on every test client (tests/conftest.py)."""

from __future__ import annotations

from typing import Any

from httpx import Response
from jsonschema import Draft202012Validator

from tsp_auth.kit.errors import FIELD_ERROR_SCHEMA, OAUTH_PREFIX, PROBLEM_SCHEMA
from tsp_auth.kit.reason_codes import REASONS

_SCHEMA: dict[str, Any] = {
    **PROBLEM_SCHEMA,
    "properties": {
        **PROBLEM_SCHEMA["properties"],
        "errors": {**PROBLEM_SCHEMA["properties"]["errors"], "items": FIELD_ERROR_SCHEMA},
    },
    "additionalProperties": False,
}
VALIDATOR = Draft202012Validator(_SCHEMA)
checked: list[str] = []  # "<status> <path>" of every problem checked, for tests/test_problems.py


async def problems_are_well_formed(response: Response) -> None:
    path = response.request.url.path
    content_type = response.headers.get("content-type", "")
    if response.status_code < 400 or path.startswith(OAUTH_PREFIX):
        return
    if "json" not in content_type:
        return  # an HTML page's error page, or a CSV export's refusal before streaming
    await response.aread()
    body = response.json()
    assert content_type == "application/problem+json", (path, content_type)
    VALIDATOR.validate(body)
    assert body["status"] == response.status_code, body
    assert body["type"] == f"/problems/{body['error']}", body
    assert body["error"] in REASONS, f"{body['error']!r} is not in tsp_auth.kit.reason_codes"
    checked.append(f"{response.status_code} {path}")
