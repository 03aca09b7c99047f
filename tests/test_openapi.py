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
    for operations in schema["paths"].values():
        for operation in operations.values():
            assert "422" not in operation["responses"]
    assert "Error" in schema["components"]["schemas"]
