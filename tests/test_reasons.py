"""The catalogue of reason codes is complete, served, and in the OpenAPI document."""

from __future__ import annotations

import ast
from enum import StrEnum
from pathlib import Path

from httpx import AsyncClient

from tsp_auth.app import create_app
from tsp_auth.partner_apps.rules import AppReason
from tsp_auth.policy.business_center import BcReason
from tsp_auth.policy.decisions import Reason
from tsp_auth.reasons import REASONS
from tsp_auth.tsp_access.reasons import EndReason, SessionReason

SOURCE = Path(__file__).resolve().parents[1] / "src" / "tsp_auth"
ENUMS: tuple[type[StrEnum], ...] = (Reason, AppReason, SessionReason, EndReason, BcReason)


def _module_constants(trees: list[ast.Module]) -> dict[str, str]:
    found = {}
    for tree in trees:
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                for target in node.targets:
                    if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                        found[target.id] = node.value.value
    return found


def _is_qr_call(call: ast.Call) -> bool:
    """segno's ``error=`` is a QR error-correction level, not a reason code."""
    func = call.func
    return isinstance(func, ast.Attribute) and func.attr.startswith("make")


def _raised_codes() -> set[str]:
    """Every literal or named constant passed as ``error=``, and every ``error = "…"`` of an
    error class, anywhere in the source."""
    trees = [ast.parse(p.read_text()) for p in SOURCE.rglob("*.py")]
    constants = _module_constants(trees)
    codes: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            value: ast.expr | None = None
            if isinstance(node, ast.Call) and not _is_qr_call(node):
                value = next((k.value for k in node.keywords if k.arg == "error"), None)
            elif isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.Assign | ast.AnnAssign):
                        target = item.target if isinstance(item, ast.AnnAssign) else item.targets[0]
                        if isinstance(target, ast.Name) and target.id == "error":
                            value = item.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                codes.add(value.value)
            elif isinstance(value, ast.Name) and value.id in constants:
                codes.add(constants[value.id])
    return codes


def test_every_code_the_source_raises_is_in_the_catalogue() -> None:
    raised = _raised_codes() | {m.value for enum in ENUMS for m in enum}

    assert len(raised) > 100  # the scan found the codes, not nothing
    assert sorted(raised - set(REASONS)) == []


def test_every_code_has_plain_words_and_a_code_shape() -> None:
    for code, words in REASONS.items():
        assert code.islower() and " " not in code, code
        assert words and words[0].isupper() and words.endswith("."), code


def test_the_openapi_document_lists_the_codes_as_an_enum() -> None:
    schema = create_app().openapi()
    components = schema["components"]["schemas"]

    assert components["ReasonCode"]["enum"] == sorted(REASONS)
    assert components["Problem"]["properties"]["error"] == {
        "$ref": "#/components/schemas/ReasonCode"
    }


async def test_a_problem_type_is_served_with_its_title(client: AsyncClient) -> None:
    response = await client.get("/problems/grant_not_active")

    assert response.status_code == 200
    assert response.json() == {
        "type": "/problems/grant_not_active",
        "title": REASONS["grant_not_active"],
        "error": "grant_not_active",
    }


async def test_an_unknown_code_is_a_404_problem(client: AsyncClient) -> None:
    response = await client.get("/problems/no_such_code")

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


async def test_a_problem_title_is_its_codes_words(client: AsyncClient) -> None:
    response = await client.get("/v1/grants/grt_missing")

    assert response.status_code in (401, 404)
    body = response.json()
    assert body["title"] == REASONS[body["error"]]
