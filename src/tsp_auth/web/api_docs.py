"""`/docs` (Swagger UI) and `/redoc`, served with the files of a package, never from a CDN, so
the API's documentation works offline and on a network that blocks CDNs (issue 22).

The files are those of ``fastapi-offline`` (pinned in constraints.txt): Swagger UI 5, which
renders OpenAPI 3.1, our document's version (``swagger-ui-bundle`` on PyPI ships Swagger UI
4.15, which does not). Only the files are used, not its app class.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = "/docs/static"


def _static_folder() -> Path:
    return Path(str(files("fastapi_offline") / "static"))


def install_api_docs(app: FastAPI, openapi_url: str) -> None:
    """Serve the documentation pages and their files (create the app with ``docs_url=None``
    and ``redoc_url=None``)."""

    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} · API documentation",
            swagger_js_url=f"{STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC}/favicon.png",
            # No call to the online validator: nothing leaves the browser but our own requests.
            swagger_ui_parameters={"validatorUrl": None},
        )

    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} · API reference",
            redoc_js_url=f"{STATIC}/redoc.standalone.js",
            redoc_favicon_url=f"{STATIC}/favicon.png",
            with_google_fonts=False,
        )

    app.add_api_route("/docs", swagger_ui, include_in_schema=False)
    app.add_api_route("/redoc", redoc, include_in_schema=False)
    app.mount(STATIC, StaticFiles(directory=_static_folder()), name="api-docs-static")
