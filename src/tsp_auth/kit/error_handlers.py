"""The app's exception handlers: every error a request can raise, rendered by ``errors``.

``AppError`` answers with its own status and code; Starlette's 404/405 and FastAPI's validation
errors get ours (bad input lists each field, RFC 9457 ``errors``); a database that is down,
refusing or slow is a 503 with ``Retry-After``, except a value the database refuses (SQLSTATE
class 22), which is the request's fault: 400.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from tsp_auth.kit.errors import AppError, error_response
from tsp_auth.policy import Reason

log = logging.getLogger("tsp_auth.kit.errors")


def _unavailable(retry_after: int, path: str) -> JSONResponse:
    return error_response(
        503,
        Reason.TEMPORARILY_UNAVAILABLE,
        "The database is unreachable; retry later.",
        {"Retry-After": str(retry_after)},
        path=path,
    )


DenialRecorder = Callable[[Request, AppError], Awaitable[None]]


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
