"""create_app(): routers, lifespan (engine, sessionmaker), error handlers, middleware."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from tsp_auth import __version__
from tsp_auth.accounts.router import dev_router
from tsp_auth.accounts.router import router as identity_router
from tsp_auth.assignments.router import router as assignments_router
from tsp_auth.audit.router import router as audit_router
from tsp_auth.audit.service import drain_lone_events, record_denial
from tsp_auth.business_centers.card import router as business_center_card_router
from tsp_auth.business_centers.pages import router as business_center_page_router
from tsp_auth.business_centers.router import router as business_centers_router
from tsp_auth.clients.router import router as clients_router
from tsp_auth.clock import now
from tsp_auth.coherence.runtime import Runtime
from tsp_auth.config import Settings, get_settings
from tsp_auth.consent.html import AppPages, consent_page_router
from tsp_auth.consent.router import router as consent_router
from tsp_auth.consent.service import start_authorization
from tsp_auth.console.router import router as local_console_router
from tsp_auth.crypto.identity import IdentityCodec
from tsp_auth.db import create_engine, create_sessionmaker
from tsp_auth.db.unit_of_work import reads_of
from tsp_auth.decisions.partner_router import router as partner_decisions_router
from tsp_auth.decisions.router import router as decisions_router
from tsp_auth.grants.router import router as grants_router
from tsp_auth.idempotency.dependency import install_replay_handler
from tsp_auth.keys.ring import KeyRing
from tsp_auth.kit.direct_routes import DirectTable, serve
from tsp_auth.kit.error_handlers import install_error_handlers
from tsp_auth.kit.errors import AppError
from tsp_auth.kit.problems import router as problems_router
from tsp_auth.kit.rate_limits import RateLimits
from tsp_auth.links.router import router as links_router
from tsp_auth.oauth.authorize_endpoint import AuthorizationFlows, authorize_router
from tsp_auth.oauth.cors import router as cors_preflight_router
from tsp_auth.oauth.discovery import jwks_router
from tsp_auth.oauth.discovery import router as discovery_router
from tsp_auth.oauth.router import direct_router as oauth_direct_router
from tsp_auth.oauth.router import router as oauth_router
from tsp_auth.observability.logs import flush_logs, flush_logs_periodically
from tsp_auth.observability.middleware import RequestMiddleware
from tsp_auth.openapi import spec as openapi_spec
from tsp_auth.ops.router import router as ops_router
from tsp_auth.pages.business_center import router as bc_pages_router
from tsp_auth.pages.home import router as role_home_router
from tsp_auth.pages.my_service import router as my_service_router
from tsp_auth.pages.partner import router as partner_pages_router
from tsp_auth.pages.tsp_access import router as tsp_access_page_router
from tsp_auth.partner_apps import pages as app_pages
from tsp_auth.partner_apps.requests import is_app_request_id, start_app_authorization
from tsp_auth.partner_apps.router import router as partner_apps_router
from tsp_auth.proposals.router import router as proposals_router
from tsp_auth.registry.router import router as registry_router
from tsp_auth.tsp_access.assignment_removal import router as assignment_removal_router
from tsp_auth.tsp_access.router import direct_router as tsp_access_direct_router
from tsp_auth.tsp_access.router import router as tsp_access_router
from tsp_auth.web import dev_pages
from tsp_auth.web.api_docs import install_api_docs
from tsp_auth.web.error_pages import link_error_page
from tsp_auth.web.home import router as home_router
from tsp_auth.web.not_found import install_html_not_found
from tsp_auth.webhooks.router import router as webhooks_router

# The protocol's authorization endpoint stores a followed link through the flows above it.
_authorize_router = authorize_router(
    AuthorizationFlows(
        seller=start_authorization, partner=start_app_authorization, error_page=link_error_page
    )
)
# The consent page answers a partner app's request with the app's pages (seed 004).
_consent_page_router = consent_page_router(
    AppPages(is_app_request=is_app_request_id, show=app_pages.show, decision=app_pages.AppDecision)
)

# Hot paths first: routes are matched in this order, one after the other.
ROUTERS = (
    decisions_router,
    partner_decisions_router,
    oauth_direct_router,
    oauth_router,
    jwks_router,
    discovery_router,
    cors_preflight_router,
    tsp_access_direct_router,
    tsp_access_router,
    ops_router,
    identity_router,
    registry_router,
    grants_router,
    proposals_router,
    links_router,
    _authorize_router,
    consent_router,
    _consent_page_router,
    home_router,
    assignments_router,
    assignment_removal_router,
    audit_router,
    webhooks_router,
    clients_router,
    partner_apps_router,
    business_centers_router,
    business_center_page_router,
    business_center_card_router,
    problems_router,
    role_home_router,
    my_service_router,
    tsp_access_page_router,
    partner_pages_router,
    bc_pages_router,
)


class TspAuth(FastAPI):
    """The service's app: its direct routes (``direct_routes``) answered behind the request
    layer before FastAPI's stack is entered; every other request goes through FastAPI."""

    direct = DirectTable([])
    direct_layer: ASGIApp

    def serve_directly(self) -> None:
        """Fix the table of direct routes: call once every route is mounted."""
        self.direct = DirectTable(self.router.routes)
        self.direct_layer = RequestMiddleware(_serve_routed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self.direct.route_for(scope) if scope["type"] == "http" else None
        if route is None:
            await super().__call__(scope, receive, send)
            return
        scope["app"] = self
        scope["route"] = route
        await self.direct_layer(scope, receive, send)


async def _serve_routed(scope: Scope, receive: Receive, send: Send) -> None:
    await serve(scope["route"], scope, receive, send)


def create_app(settings: Settings | None = None) -> TspAuth:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings)
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        app.state.keyring = await KeyRing.load(reads_of(app.state.sessionmaker), settings, now())
        coherence = Runtime(settings, engine)  # the hot paths find it by the engine
        await coherence.start()
        flusher = asyncio.create_task(flush_logs_periodically())
        try:
            yield
        finally:
            flusher.cancel()
            # Lone audit events still queued are written before the engine goes.
            await drain_lone_events(app.state.sessionmaker)
            flush_logs()
            await coherence.stop()
            await engine.dispose()

    app = TspAuth(
        title="tsp-auth",
        version=__version__,
        description="Authorization service for TikTok Shop Partner (TSP) access.",
        lifespan=lifespan,
        docs_url=None,  # served from a package's files below: works offline
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.rate_limits = RateLimits(settings)  # per app, so fresh apps start with none spent
    app.state.identity_codec = IdentityCodec(
        settings.id_token_secret.get_secret_value(), settings.identity_issuer
    )
    for router in ROUTERS:
        _mount(app, router)
    if settings.dev_issuer_enabled:
        _mount(app, dev_router)
        _mount(app, dev_pages.router)
    if settings.local_console:
        _mount(app, local_console_router)
    install_error_handlers(app, settings.retry_after_seconds, _record_denial)
    install_replay_handler(app)
    install_html_not_found(app)
    install_api_docs(app, app.openapi_url or "/openapi.json")
    # One pure ASGI middleware: request id, body limit, metrics, access line, last-resort 500.
    app.add_middleware(RequestMiddleware)
    app.serve_directly()
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _mount(app: FastAPI, router: APIRouter) -> None:
    """Put a router's routes straight on the app.

    ``include_router`` keeps each router as a lazily resolved branch that is searched on
    every request (docs/performance.md, "Figures from the code"). Our
    routers have no prefix, and a route already carries its router's tags, dependencies and
    responses from when it was defined, so the routes can stand on the app as they are.
    """
    app.router.routes.extend(router.routes)


async def _record_denial(request: Request, exc: AppError) -> None:
    if exc.audit is not None:
        await record_denial(request.app.state.sessionmaker, exc.audit, exc.error)


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        app.openapi_schema = openapi_spec.build(app)
    return app.openapi_schema
