"""One catalogue of reason codes: complete, written as members not literals, served, and in the
OpenAPI document as an enum."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from httpx import AsyncClient

from tsp_auth.app import create_app
from tsp_auth.kit.reason_codes import REASONS
from tsp_auth.policy import MESSAGES, Reason
from tsp_auth.tsp_access.session_kinds import EndReason

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "tsp_auth"
CODEMOD = ROOT / "scripts" / "reason_codes.py"


def _is_qr_call(call: ast.Call) -> bool:
    """segno's ``error=`` is a QR error-correction level, not a reason code."""
    func = call.func
    return isinstance(func, ast.Attribute) and func.attr.startswith("make")


def _code_values(tree: ast.Module) -> list[ast.expr]:
    """What the source passes as ``error=`` or ``reason=``, and every ``error = …`` of a class."""
    found: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and not _is_qr_call(node):
            found += [k.value for k in node.keywords if k.arg in ("error", "reason")]
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and item.value is not None:
                    pairs = [(item.target, item.value)]
                elif isinstance(item, ast.Assign):
                    pairs = [(target, item.value) for target in item.targets]
                else:
                    continue
                found += [v for t, v in pairs if isinstance(t, ast.Name) and t.id == "error"]
    return found


def _inline_codes() -> list[str]:
    inline = []
    for path in sorted(SOURCE.rglob("*.py")):
        for value in _code_values(ast.parse(path.read_text())):
            branches = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
            for branch in branches:
                if isinstance(branch, ast.Constant) and isinstance(branch.value, str):
                    where = path.relative_to(ROOT)
                    inline.append(f"{where}:{branch.lineno}: {branch.value!r}")
    return inline


def _member_codes() -> set[str]:
    """Every ``Reason.X`` the source names."""
    names = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and getattr(node.value, "id", None) == "Reason":
                names.add(node.attr)
    return names


def test_no_reason_code_is_written_as_a_string_literal() -> None:
    assert _inline_codes() == []
    assert len(_member_codes()) > 100  # the scan found the codes, not nothing


def test_every_member_the_source_names_is_in_the_catalogue() -> None:
    assert sorted(_member_codes() - set(Reason.__members__)) == []


def test_the_codemod_finds_nothing_left_to_rewrite() -> None:
    done = subprocess.run(
        [sys.executable, str(CODEMOD), "--check"], capture_output=True, text=True, check=False
    )

    assert done.returncode == 0, done.stdout + done.stderr


def test_every_code_has_a_message_and_a_member_named_after_it() -> None:
    assert set(MESSAGES) == set(Reason)
    for code in Reason:
        assert code.name == code.value.upper(), code  # the codemod writes Reason.<VALUE>


def test_every_code_has_plain_words_and_a_code_shape() -> None:
    assert set(REASONS) == {code.value for code in Reason}
    for code, words in REASONS.items():
        assert code.islower() and " " not in code, code
        assert words and words[0].isupper() and words.endswith("."), code


def test_every_end_reason_of_a_session_is_a_reason_code() -> None:
    assert {end.value for end in EndReason} <= {code.value for code in Reason}


def test_the_openapi_document_lists_the_catalogue_as_an_enum() -> None:
    schema = create_app().openapi()
    components = schema["components"]["schemas"]
    ref = {"$ref": "#/components/schemas/ReasonCode"}

    assert components["ReasonCode"]["enum"] == sorted(code.value for code in Reason)
    assert components["Problem"]["properties"]["error"] == ref
    decision = components["DecisionRead"]["properties"]["reason"]
    assert decision == {**ref, "title": "Reason", "description": decision["description"]}
    assert components["LoginDecision"]["properties"]["reason"] == {**ref, "title": "Reason"}
    status_reason = components["GrantRead"]["properties"]["status_reason"]
    assert status_reason["anyOf"] == [ref, {"type": "null"}]


async def test_a_problem_type_is_served_with_its_title(client: AsyncClient) -> None:
    response = await client.get("/problems/grant_not_active")

    assert response.status_code == 200
    assert response.json() == {
        "type": "/problems/grant_not_active",
        "title": MESSAGES[Reason.GRANT_NOT_ACTIVE],
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
