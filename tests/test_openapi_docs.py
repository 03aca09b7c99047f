"""The OpenAPI document is good enough to generate an SDK from: every operation described,
every body and JSON answer with an example that validates against its schema (issue 14)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tsp_auth.app import create_app
from tsp_auth.config import Settings
from tsp_auth.oauth.metadata import server_metadata
from tsp_auth.openapi import spec as openapi_spec
from tsp_auth.openapi.examples import REQUEST_EXAMPLES, RESPONSE_EXAMPLES

DOCUMENT_URI = "urn:tsp-auth:openapi"
JSON_BODIES = ("application/json", "application/x-www-form-urlencoded")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return create_app(Settings()).openapi()


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def _pointer(*parts: str) -> str:
    """RFC 6901: ``~`` and ``/`` inside a part are escaped."""
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


def _examples(document: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(where, pointer to the schema, example value) for every example in the document."""
    for path, method, operation in _operations(document):
        media_types = [
            (("requestBody", "content", name), media)
            for name, media in operation.get("requestBody", {}).get("content", {}).items()
        ]
        for status, answer in operation.get("responses", {}).items():
            media_types += [
                (("responses", status, "content", name), media)
                for name, media in answer.get("content", {}).items()
            ]
        for parts, media in media_types:
            for name, example in media.get("examples", {}).items():
                where = f"{operation['operationId']} {'/'.join(parts)} {name}"
                yield where, _pointer("paths", path, method, *parts, "schema"), example["value"]


def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)


def test_every_operation_has_a_summary_and_a_description(document: dict[str, Any]) -> None:
    for path, method, operation in _operations(document):
        assert operation.get("summary", "").strip(), f"{method} {path}: no summary"
        assert operation.get("description", "").strip(), f"{method} {path}: no description"


def test_every_operation_has_its_section_and_no_section_is_stale(
    document: dict[str, Any],
) -> None:
    names = {operation["operationId"] for _, _, operation in _operations(document)}
    sections = openapi_spec.operation_docs(openapi_spec.OPERATIONS_DOC)
    assert not sections.keys() - names, "sections naming no operation"
    assert not names - sections.keys(), "operations without a section"
    assert all(sections.values()), "empty sections"


def test_every_request_body_has_an_example(document: dict[str, Any]) -> None:
    for path, method, operation in _operations(document):
        for name, media in operation.get("requestBody", {}).get("content", {}).items():
            assert media.get("examples"), f"{method} {path} {name}: no request example"


def test_every_json_success_answer_has_an_example(document: dict[str, Any]) -> None:
    for path, method, operation in _operations(document):
        for status, answer in operation["responses"].items():
            media = answer.get("content", {}).get("application/json")
            if status.startswith("2") and media is not None:
                assert media.get("examples"), f"{method} {path} {status}: no response example"


def _closed(schema: Any) -> Any:
    """A copy where objects allow no property they do not name (unless they say otherwise),
    so an example with a misspelt or stale field fails although answers may grow."""
    if isinstance(schema, list):
        return [_closed(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    closed = {key: _closed(value) for key, value in schema.items()}
    if "properties" in closed and isinstance(closed["properties"], dict):
        closed["properties"] = {k: _closed(v) for k, v in schema["properties"].items()}
        closed.setdefault("additionalProperties", False)
    return closed


@pytest.mark.parametrize("closed", [False, True], ids=["as-published", "no-unknown-fields"])
def test_every_example_validates_against_its_schema(document: dict[str, Any], closed: bool) -> None:
    # The document is one resource, so `#/components/schemas/…` refs resolve against it.
    resource = DRAFT202012.create_resource(_closed(document) if closed else document)
    registry = Registry().with_resource(DOCUMENT_URI, resource)
    checked = 0
    for where, pointer, value in _examples(document):
        validator = Draft202012Validator(
            {"$ref": f"{DOCUMENT_URI}#{pointer}"},
            registry=registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        errors = [f"{where}: {e.json_path}: {e.message}" for e in validator.iter_errors(value)]
        assert not errors, "\n".join(errors)
        checked += 1
    # Every example of openapi_examples is used: none names a stale operationId.
    assert checked == len(REQUEST_EXAMPLES) + len(RESPONSE_EXAMPLES)


def test_operation_docs_reads_sections_until_the_next_heading(tmp_path: Any) -> None:
    doc = tmp_path / "operations.md"
    doc.write_text("# Title\nintro\n## tag\n### one\nFirst line.\nSecond.\n\n### two\nOther.\n")
    assert openapi_spec.operation_docs(doc) == {"one": "First line.\nSecond.", "two": "Other."}


def test_without_the_doc_file_there_are_no_sections(tmp_path: Any) -> None:
    assert openapi_spec.operation_docs(tmp_path / "missing.md") == {}


def test_the_metadata_example_is_what_the_server_answers_by_default() -> None:
    assert RESPONSE_EXAMPLES["authorization_server_metadata"] == (
        server_metadata(Settings()).model_dump()
    )
