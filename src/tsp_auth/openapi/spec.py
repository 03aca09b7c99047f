"""The OpenAPI document: what a generated SDK is made from (docs/api.md).

FastAPI builds it from the routes; this module adds what it cannot know: operation ids that are
the handlers' names (stable, unique), the problem-details and OAuth error schemas, the
security scheme of each operation, tag descriptions, our 400/413 answers for bad input, each
operation's description (docs/api/operations.md) and request and response examples
(``openapi_examples``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from tsp_auth.deps import current_caller
from tsp_auth.idempotency.service import HEADER as IDEMPOTENCY_HEADER
from tsp_auth.identity.callers import IDENTITY_SCHEME
from tsp_auth.kit.errors import ERROR_SCHEMA, FIELD_ERROR_SCHEMA, OAUTH_PREFIX, PROBLEM_SCHEMA
from tsp_auth.kit.json_body import json_schemas
from tsp_auth.kit.reason_codes import REASON_CODE_MARK, REASONS
from tsp_auth.oauth.http import form_schemas
from tsp_auth.openapi.examples import (
    EXAMPLE_NAME,
    EXAMPLE_SUMMARY,
    REQUEST_EXAMPLES,
    RESPONSE_EXAMPLES,
)

# In a source checkout; an installed wheel has no docs/ and builds without descriptions (the
# committed openapi/openapi.json has them).
OPERATIONS_DOC = Path(__file__).resolve().parents[3] / "docs" / "api" / "operations.md"
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")

TAGS: list[dict[str, str]] = [
    {
        "name": "decisions",
        "description": "The console's question before every action of a "
        "TSP Access session: allow or deny, with a reason (docs/tsp-access.md).",
    },
    {
        "name": "oauth",
        "description": "OAuth 2.0: token (RFC 6749), introspection (RFC 7662), "
        "revocation (RFC 7009). Errors are RFC 6749 §5.2 bodies (docs/oauth.md).",
    },
    {
        "name": "discovery",
        "description": "Authorization server metadata (RFC 8414) and the "
        "signing keys (JWKS) (docs/keys.md).",
    },
    {
        "name": "tsp-access",
        "description": "One-click console login for a partner's members, "
        "console sessions and the sellers a member may enter (docs/tsp-access.md).",
    },
    {"name": "ops", "description": "Liveness, readiness and metrics (docs/operations.md)."},
    {
        "name": "identity",
        "description": "Who is calling: the account behind an identity token (docs/identity.md).",
    },
    {
        "name": "registry",
        "description": "Partners, their members, sellers, sub-accounts and "
        "services, as the platform registers them.",
    },
    {
        "name": "grants",
        "description": "What a seller granted a partner: read, edit, renew, "
        "cancel, deactivate (docs/grants.md).",
    },
    {
        "name": "links",
        "description": "The authorization link a partner sends to a seller (docs/consent.md).",
    },
    {
        "name": "consent",
        "description": "The seller's side of an authorization request, for "
        "seller frontends (docs/consent.md).",
    },
    {"name": "consent page", "description": "The built-in server-rendered consent page."},
    {
        "name": "assignments",
        "description": "Which partner members may act for which sellers (docs/tsp-access.md).",
    },
    {"name": "audit", "description": "The audit trail: read and export (docs/operations.md)."},
    {
        "name": "webhooks",
        "description": "Webhook endpoints, signed as Standard Webhooks (docs/operations.md).",
    },
    {
        "name": "clients",
        "description": "OAuth clients: registration (RFC 7591 names), "
        "secrets, status (docs/oauth.md).",
    },
    {
        "name": "partner apps",
        "description": "Partner authorization for apps, TAP (docs/partner-apps.md).",
    },
    {
        "name": "business centers",
        "description": "Business Center access to TikTok accounts (docs/business-center.md).",
    },
    {"name": "business center page", "description": "The built-in approval page."},
    {
        "name": "development",
        "description": "The development identity issuer and sign-in "
        "page; off in production (docs/identity.md).",
    },
]


def build(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=TAGS,
    )
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {}).update(
        {
            "Error": ERROR_SCHEMA,
            "Problem": _with_reason_enum(PROBLEM_SCHEMA),
            "FieldError": FIELD_ERROR_SCHEMA,
            "ReasonCode": REASON_CODE_SCHEMA,
            # The OAuth routes read their forms themselves (oauth.http.read_form).
            **form_schemas(),
            **json_schemas(),
        }
    )
    _refer_to_reason_codes(components["schemas"])
    components["securitySchemes"] = {
        IDENTITY_SCHEME: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "An identity token of the platform's login service (docs/identity.md).",
        },
    }
    _name_operations(schema, app)
    _declare_security(schema, app)
    _validation_errors_are_400(schema)
    _large_bodies_are_413(schema)
    _reused_keys_are_422(schema)
    _describe_operations(schema, operation_docs(OPERATIONS_DOC))
    _add_examples(schema)
    return schema


REASON_CODE_SCHEMA: dict[str, Any] = {
    "type": "string",
    "description": "A reason code (tsp_auth/reasons): `GET /problems/{code}` says what it "
    "means. New codes may be added in later versions.",
    "enum": sorted(REASONS),
}


REASON_CODE_REF = "#/components/schemas/ReasonCode"


def _with_reason_enum(problem: dict[str, Any]) -> dict[str, Any]:
    error = {"$ref": REASON_CODE_REF}
    return {**problem, "properties": {**problem["properties"], "error": error}}


def _refer_to_reason_codes(node: Any) -> Any:
    """Every field typed ``reasons.ReasonCode`` refers to the enum, keeping its own words."""
    if isinstance(node, list):
        node[:] = [_refer_to_reason_codes(item) for item in node]
    elif isinstance(node, dict):
        if node.pop(REASON_CODE_MARK, False):
            node.pop("type", None)
            return {"$ref": REASON_CODE_REF, **node}
        for key, value in node.items():
            node[key] = _refer_to_reason_codes(value)
    return node


def _operations(schema: dict[str, Any], app: FastAPI) -> list[tuple[APIRoute, dict[str, Any]]]:
    paths = schema.get("paths", {})
    found = []
    for route in app.routes:
        if isinstance(route, APIRoute) and route.include_in_schema:
            for method in sorted(route.methods or ()):
                operation = paths.get(route.path_format, {}).get(method.lower())
                if operation is not None:
                    found.append((route, operation))
    return found


def _name_operations(schema: dict[str, Any], app: FastAPI) -> None:
    """operationId = the handler's name: stable, and what a generated SDK calls the method.

    Routes are built by their routers (``app._mount``), so FastAPI's path-derived ids are
    replaced here; two handlers of one name are a bug this refuses."""
    seen: dict[str, str] = {}
    for route, operation in _operations(schema, app):
        if route.name in seen:
            raise ValueError(
                f"operationId {route.name!r} used by {seen[route.name]} and {route.path_format}"
            )
        seen[route.name] = route.path_format
        operation["operationId"] = route.name


def _needs_caller(dependant: Dependant) -> bool:
    return any(sub.call is current_caller or _needs_caller(sub) for sub in dependant.dependencies)


def _declare_security(schema: dict[str, Any], app: FastAPI) -> None:
    for route, operation in _operations(schema, app):
        if _needs_caller(route.dependant):
            operation["security"] = [{IDENTITY_SCHEME: []}]


def _error_content(path: str) -> dict[str, Any]:
    if path.startswith(OAUTH_PREFIX):
        return {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    return {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def _validation_errors_are_400(schema: dict[str, Any]) -> None:
    """Our handler answers bad input with 400 in the documented shape, not FastAPI's 422."""
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            answers = operation.get("responses", {})
            if answers.pop("422", None) is not None:
                answers.setdefault(
                    "400", {"description": "Invalid request", "content": _error_content(path)}
                )
    for name in ("HTTPValidationError", "ValidationError"):
        schema["components"]["schemas"].pop(name, None)


def _large_bodies_are_413(schema: dict[str, Any]) -> None:
    """The request layer (``RequestMiddleware``) answers any operation taking a body with 413
    past 64 KiB."""
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            if "requestBody" in operation:
                operation.setdefault("responses", {}).setdefault(
                    "413",
                    {
                        "description": "Request body too large (docs/security.md)",
                        "content": _error_content(path),
                    },
                )


def _reused_keys_are_422(schema: dict[str, Any]) -> None:
    """An operation taking ``Idempotency-Key`` answers 422 ``idempotency_key_reused`` when the
    key comes back with another body (docs/api.md, "Retrying a create")."""
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            names = {parameter.get("name") for parameter in operation.get("parameters", [])}
            if IDEMPOTENCY_HEADER in names:
                operation.setdefault("responses", {}).setdefault(
                    "422",
                    {
                        "description": "This Idempotency-Key was used with another request body",
                        "content": _error_content(path),
                    },
                )


def operation_docs(path: Path) -> dict[str, str]:
    """``### name`` → the text up to the next heading, for each section of ``path``."""
    if not path.is_file():
        return {}
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        heading = _HEADING.match(line)
        if heading:
            current = sections.setdefault(heading[2], []) if heading[1] == "###" else None
        elif current is not None:
            current.append(line)
    return {name: "\n".join(lines).strip() for name, lines in sections.items()}


def _each_operation(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for ops in schema.get("paths", {}).values() for op in ops.values()]


def _describe_operations(schema: dict[str, Any], docs: dict[str, str]) -> None:
    """The doc's section wins; without one FastAPI's docstring description stays."""
    for operation in _each_operation(schema):
        text = docs.get(operation["operationId"])
        if text:
            operation["description"] = text


def _add_examples(schema: dict[str, Any]) -> None:
    """OpenAPI 3.1 named examples on the request body and the JSON success answer."""
    for operation in _each_operation(schema):
        name = operation["operationId"]
        if name in REQUEST_EXAMPLES:
            for media in operation.get("requestBody", {}).get("content", {}).values():
                media["examples"] = _named(REQUEST_EXAMPLES[name])
        if name in RESPONSE_EXAMPLES:
            media = _success_json(operation)
            if media is not None:
                media["examples"] = _named(RESPONSE_EXAMPLES[name])


def _named(value: dict[str, Any]) -> dict[str, Any]:
    return {EXAMPLE_NAME: {"summary": EXAMPLE_SUMMARY, "value": value}}


def _success_json(operation: dict[str, Any]) -> dict[str, Any] | None:
    for status, answer in sorted(operation.get("responses", {}).items()):
        media = answer.get("content", {}).get("application/json")
        if status.startswith("2") and media is not None:
            found: dict[str, Any] = media
            return found
    return None
