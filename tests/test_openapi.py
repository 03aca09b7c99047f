from __future__ import annotations

import json
from pathlib import Path

from tsp_auth.app import create_app
from tsp_auth.config import Settings


def test_checked_in_openapi_matches_the_app(repo_root: Path) -> None:
    checked_in = json.loads((repo_root / "openapi" / "openapi.json").read_text())
    assert checked_in == create_app(Settings()).openapi(), "run `make openapi`"


def test_validation_errors_are_documented_as_400_in_the_error_shape() -> None:
    schema = create_app(Settings()).openapi()
    keyed = 0
    for operations in schema["paths"].values():
        for operation in operations.values():
            names = {parameter["name"] for parameter in operation.get("parameters", [])}
            if "Idempotency-Key" in names:
                # Not FastAPI's validation answer: the key came back with another body.
                keyed += 1
                answer = operation["responses"]["422"]
                assert "another request body" in answer["description"]
                assert "application/problem+json" in answer["content"]
            else:
                assert "422" not in operation["responses"]
    assert keyed >= 8  # every creating POST takes the key (docs/api.md)
    assert "Error" in schema["components"]["schemas"]
