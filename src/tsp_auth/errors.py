"""Errors that know their HTTP status and error code, and the one place that renders them.

Two shapes, by where the request went (docs/api.md, "Errors"):
- ``/oauth/*``: RFC 6749 §5.2, ``{"error", "error_description", "request_id"}``, which every
  OAuth client library parses;
- everything else: RFC 9457 problem details (``application/problem+json``) with ``type``,
  ``title``, ``status``, ``detail``, ``instance``, and the extension members ``error`` (the
  reason code), ``request_id`` and, for bad input, ``errors`` (one entry per field).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, ClassVar, Self
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from tsp_auth.policy import Reason
from tsp_auth.reasons import message
from tsp_auth.request_id import current_request_id

if TYPE_CHECKING:
    from tsp_auth.audit.service import AuditNote

log = logging.getLogger("tsp_auth.errors")


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


def _unavailable(retry_after: int, path: str) -> JSONResponse:
    return error_response(
        503,
        Reason.TEMPORARILY_UNAVAILABLE,
        "The database is unreachable; retry later.",
        {"Retry-After": str(retry_after)},
        path=path,
    )


DenialRecorder = Callable[[Request, "AppError"], Awaitable[None]]


def install_error_handlers(
    app: FastAPI, retry_after: int, on_denied: DenialRecorder | None = None
) -> None:
    async def app_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, AppError)
        if exc.audit is not None and on_denied is not None:
            await on_denied(request, exc)
        return error_response(
            exc.status_code, exc.error, exc.description, exc.headers, path=request.url.path
        )

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = {404: Reason.NOT_FOUND, 405: Reason.METHOD_NOT_ALLOWED}.get(
            exc.status_code, Reason.INVALID_REQUEST
        )
        return error_response(
            exc.status_code,
            code,
            str(exc.detail),
            dict(exc.headers or {}),
            path=request.url.path,
        )

    async def validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return error_response(
            400,
            Reason.INVALID_REQUEST,
            _describe_validation(exc),
            path=request.url.path,
            errors=field_errors(exc),
        )

    async def database_down(request: Request, exc: Exception) -> JSONResponse:
        if _is_data_exception(exc):
            # The request's values are at fault, not the database: no 503, no outage alert.
            return error_response(
                400,
                Reason.INVALID_REQUEST,
                "a value in the request cannot be used (e.g. a NUL)",
                path=request.url.path,
            )
        log.warning("database unavailable: %s", type(exc).__name__)
        return _unavailable(retry_after, request.url.path)

    app.add_exception_handler(AppError, app_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    for exc_type in (OperationalError, DBAPIError, PoolTimeoutError, OSError, TimeoutError):
        app.add_exception_handler(exc_type, database_down)


def _is_data_exception(exc: Exception) -> bool:
    """SQLSTATE class 22, "data exception": e.g. 22021, PostgreSQL refusing a NUL character in
    text that SQLite would have stored. Raised by a value the client sent."""
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate.startswith("22")


def _describe_validation(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def field_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    """One entry per field: a JSON Pointer into the body, or the parameter's name."""
    found = []
    for err in exc.errors():
        where, *path = err.get("loc", ()) or ("body",)
        detail = str(err.get("msg", "invalid"))
        if where == "body":
            pointer = "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)
            found.append({"pointer": "#" + pointer, "detail": detail})
        else:
            name = str(path[0]) if path else str(where)
            found.append({"parameter": name, "in": str(where), "detail": detail})
    return found
