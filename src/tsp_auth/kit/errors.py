"""Errors that know their HTTP status and error code, and the one place that renders them.

Two shapes, by where the request went (docs/api.md, "Errors"):
- ``/oauth/*``: RFC 6749 §5.2, ``{"error", "error_description", "request_id"}``, which every
  OAuth client library parses;
- everything else: RFC 9457 problem details (``application/problem+json``) with ``type``,
  ``title``, ``status``, ``detail``, ``instance``, and the extension members ``error`` (the
  reason code), ``request_id`` and, for bad input, ``errors`` (one entry per field).

The exception handlers that turn what a request raises into these are in ``error_handlers``.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self
from urllib.parse import quote

from fastapi.responses import JSONResponse

from tsp_auth.kit.audit_note import AuditNote
from tsp_auth.kit.reason_codes import message
from tsp_auth.kit.request_id import current_request_id
from tsp_auth.policy import Reason


class AppError(Exception):
    """Base of every error the API answers on purpose."""

    status_code: ClassVar[int] = 400
    error: str = Reason.INVALID_REQUEST

    def __init__(
        self,
        description: str,
        *,
        error: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(description)
        self.description = description
        if error is not None:
            self.error = error
        self.headers = headers or {}
        self.audit: AuditNote | None = None

    def audited(self, note: AuditNote) -> Self:
        """Mark this refusal for the audit trail (written after the rollback)."""
        self.audit = note
        return self


class BadRequest(AppError):
    status_code = 400


class Unauthorized(AppError):
    status_code = 401
    error = Reason.UNAUTHORIZED


class Forbidden(AppError):
    status_code = 403
    error = Reason.FORBIDDEN


class NotFound(AppError):
    status_code = 404
    error = Reason.NOT_FOUND


class Conflict(AppError):
    status_code = 409
    error = Reason.CONFLICT


class Gone(AppError):
    status_code = 410
    error = Reason.GONE


class TooManyRequests(AppError):
    """An attempt budget is spent (RFC 6585 §4); ``Retry-After`` says when one frees up."""

    status_code = 429
    error = Reason.RATE_LIMITED

    def __init__(self, description: str, *, retry_after: int) -> None:
        super().__init__(description, headers={"Retry-After": str(retry_after)})


class ServiceUnavailable(AppError):
    status_code = 503
    error = Reason.TEMPORARILY_UNAVAILABLE


PROBLEM_TYPE_PREFIX = "/problems/"  # + the reason code; served by GET /problems/{code}
OAUTH_PREFIX = "/oauth/"


def problem_type(error: str) -> str:
    return PROBLEM_TYPE_PREFIX + error


def problem_title(error: str) -> str:
    """The same for every occurrence of a type (RFC 9457 §3.1.3): the code's plain words."""
    return message(error)


def error_body(error: str, description: str) -> dict[str, Any]:
    """RFC 6749 §5.2, for the OAuth endpoints."""
    return {
        "error": error,
        "error_description": description,
        "request_id": current_request_id(),
    }


def problem_body(
    status: int,
    error: str,
    description: str,
    instance: str,
    errors: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": problem_type(error),
        "title": problem_title(error),
        "status": status,
        "detail": description,
        # The request's path as a URI reference: percent-encoded again, so a path that held
        # spaces, controls or non-ASCII still yields a valid reference (RFC 3986 §2.1).
        "instance": quote(instance, safe="/:@!$&'()*+,;=-._~"),
        "error": error,
        "request_id": current_request_id(),
    }
    if errors is not None:
        body["errors"] = errors
    return body


def error_response(
    status: int,
    error: str,
    description: str,
    headers: dict[str, str] | None = None,
    *,
    path: str = OAUTH_PREFIX,
    errors: list[dict[str, str]] | None = None,
) -> JSONResponse:
    """The error answer for a request to ``path``: an OAuth body under ``/oauth/``, a problem
    everywhere else."""
    # An error is about this request only: no cache keeps it (RFC 6749 §5.2 asks it of the
    # token endpoint; a 405 or 413 there comes from here too).
    headers = {"Cache-Control": "no-store", **(headers or {})}
    if path.startswith(OAUTH_PREFIX):
        return JSONResponse(error_body(error, description), status_code=status, headers=headers)
    body = problem_body(status, error, description, path, errors)
    return JSONResponse(body, status, headers, media_type="application/problem+json")


ERROR_SCHEMA = {
    "type": "object",
    "description": "RFC 6749 §5.2 error (the /oauth endpoints).",
    "required": ["error", "error_description"],
    "properties": {
        "error": {"type": "string", "description": "Machine-readable code or reason."},
        "error_description": {"type": "string"},
        "request_id": {"type": ["string", "null"]},
    },
}

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details, with the reason code in `error`.",
    "required": ["type", "title", "status", "detail", "error"],
    "properties": {
        "type": {
            "type": "string",
            "format": "uri-reference",
            "description": "`/problems/{error}`: one stable URI per reason code.",
        },
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string", "format": "uri-reference"},
        "error": {"type": "string", "description": "The reason code: what a UI switches on."},
        "request_id": {"type": ["string", "null"]},
        "errors": {
            "type": "array",
            "description": "Bad input: one entry per field.",
            "items": {"$ref": "#/components/schemas/FieldError"},
        },
    },
}

FIELD_ERROR_SCHEMA = {
    "type": "object",
    "required": ["detail"],
    "properties": {
        "pointer": {
            "type": "string",
            "description": "JSON Pointer (RFC 6901) into the request body, as `#/a/0/b`.",
        },
        "parameter": {"type": "string", "description": "A query, path or header parameter."},
        "in": {"type": "string", "enum": ["query", "path", "header", "cookie"]},
        "detail": {"type": "string"},
    },
}


def responses(*statuses: int, oauth: bool = False) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` for the error statuses a route may answer (STYLE §5)."""
    media, name = (
        ("application/json", "Error") if oauth else ("application/problem+json", "Problem")
    )
    return {
        status: {
            "description": "Error",
            "content": {media: {"schema": {"$ref": f"#/components/schemas/{name}"}}},
        }
        for status in statuses
    }
