"""Schemathesis over the whole OpenAPI schema, in process over ASGI.

Every operation of `/openapi.json` gets generated requests (explicit examples, the coverage
phase's boundary values, then `max_examples` fuzzed ones), sent with the caller it needs —
an operator, a partner admin or a seller's main account (identity tokens from the
development issuer), a first-party client's Basic credentials on `/oauth/*`, a console
session's bearer on logout — and is checked for: no 5xx, the status code is documented, and
the body matches the documented schema.

How it runs: `schemathesis.openapi.from_asgi` starts the app's real lifespan on schemathesis's
own event-loop thread (its own engine on the test database), so the requests commit for real.
The accounts and grants it needs are made first through the test engine, and the tables are
emptied when the module ends, like `committed_app` does (tests/conftest.py).
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import pytest
import schemathesis
from httpx import ASGITransport, AsyncClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.schemas import BaseSchema
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import _empty_tables, wire
from tests.consent.helpers import open_link
from tests.factories import Factory
from tests.tsp_access.helpers import session_token
from tsp_auth.app import create_app
from tsp_auth.config import Settings
from tsp_auth.db import create_sessionmaker

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
MAX_EXAMPLES = 15

# Which account a route is for; every other `/v1` route is a partner admin's.
OPERATOR_ROUTES = (
    ("POST", "/v1/partners"),
    ("POST", "/v1/sellers"),
    ("POST", "/v1/grants/{grant_id}/deactivate"),
    ("GET", "/v1/audit-events"),
)
SELLER_PREFIXES = ("/v1/authorization-requests", "/v1/grants", "/v1/sellers/")
ROLES = ("partner_admin", "operator", "seller_main", "partner_member")
NO_CALLER = ("/.well-known", "/health", "/ready", "/metrics", "/open/", "/dev/", "/v1/decisions")


@dataclass
class FuzzWorld:
    identity: dict[str, str]  # role -> identity token
    basic: str  # first-party client, `Authorization: Basic …`
    session_token: str
    ids: dict[str, str] = field(default_factory=dict)  # path parameter name -> a real id

    def headers_for(self, case: Case) -> dict[str, str]:
        method, path = case.method.upper(), case.operation.path
        if path.startswith("/oauth/"):
            return {"Authorization": self.basic}
        if path == "/v1/tsp-access/sessions/current":
            return {"Authorization": f"Bearer {self.session_token}"}
        if path.startswith(NO_CALLER) or (method, path) == ("POST", "/v1/tsp-access/sessions"):
            return {}
        if (method, path) in OPERATOR_ROUTES:
            role = "operator"
        elif path.startswith(SELLER_PREFIXES):
            role = "seller_main"
        else:
            role = "partner_admin"
        # Deterministically, one case in four comes from another account: the refusals
        # (403/404) must be documented too.
        if _digest(case) % 4 == 0:
            others = [r for r in ROLES if r != role]
            role = others[_digest(case) // 4 % len(others)]
        return {"Authorization": f"Bearer {self.identity[role]}"}

    def with_real_ids(self, case: Case) -> None:
        """Half of the cases name objects that exist, so the fuzzer gets past the 404s."""
        parameters = case.path_parameters or {}
        for name in parameters:
            if name in self.ids and _digest(case) % 2 == 0:
                parameters[name] = self.ids[name]


def _digest(case: Case) -> int:
    seen = repr((case.path_parameters, case.query, case.body))
    return zlib.crc32(seen.encode())


@pytest.fixture(scope="module")
async def fuzz_world(settings: Settings, engine: AsyncEngine) -> AsyncIterator[FuzzWorld]:
    seed_app = create_app(settings)
    wire(seed_app, engine, create_sessionmaker(engine))
    transport = ASGITransport(app=seed_app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield await _seed(Factory(seed_app, http))
    await _empty_tables(engine)


async def _seed(factory: Factory) -> FuzzWorld:
    partner = await factory.partner()
    admin = await factory.account("partner", "admin", partner_id=partner.id)
    member = await factory.account("partner", "member", partner_id=partner.id)
    service = await factory.service(partner)
    seller, main = await factory.seller()
    grant = await factory.grant(
        seller, service, roles=("products", "affiliate_center"), consented_by=main
    )
    assignment = await factory.assignment(member, seller)
    app_client, _ = await factory.oauth_client(partner, scopes=("partner.affiliate.read",))
    first_party, secret = await factory.oauth_client(
        client_type="first_party", scopes=("tsp.introspect", "tsp.decisions"), redirect_uris=()
    )
    accounts = {
        "operator": await factory.operator(),
        "partner_admin": admin,
        "partner_member": member,
        "seller_main": main,
    }
    identity = {
        role: (await factory.headers(account))["Authorization"].removeprefix("Bearer ")
        for role, account in accounts.items()
    }
    basic = base64.b64encode(f"{first_party.id}:{secret}".encode()).decode()
    return FuzzWorld(
        identity=identity,
        basic=f"Basic {basic}",
        session_token=await session_token(factory, admin, seller.id),
        ids={
            "partner_id": partner.id,
            "seller_id": seller.id,
            "service_id": service.id,
            "grant_id": grant.id,
            "client_id": app_client.id,
            "assignment_id": assignment.id,
            "request_id": await open_link(factory.client, service.id),
        },
    )


@pytest.fixture(scope="module")
def fuzz_schema(settings: Settings, fuzz_world: FuzzWorld) -> Iterator[BaseSchema]:
    """The schema as the running app serves it; loading it starts the app's lifespan."""
    app = create_app(settings)
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    # Ends that lifespan, so the app's engine is disposed before the tables are emptied.
    asgi.shutdown_lifespans()


def _operations() -> list[tuple[str, str]]:
    """Every operation of the app's OpenAPI (built without a database)."""
    paths = create_app(Settings()).openapi()["paths"]
    return [(method.upper(), path) for path, ops in paths.items() for method in ops]


FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.parametrize(("method", "path"), _operations())
def test_every_operation_conforms_to_the_openapi_schema(
    fuzz_schema: BaseSchema, fuzz_world: FuzzWorld, method: str, path: str
) -> None:
    """Positive cases fit the schema, negative ones break it on purpose; either way: no 5xx,
    a documented status, a documented body."""
    operation = fuzz_schema[path][method]
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

        @FUZZ_SETTINGS
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case: Case) -> None:
            fuzz_world.with_real_ids(case)
            case.call_and_validate(headers=fuzz_world.headers_for(case), checks=CHECKS)

        try:
            check()
        except Unsatisfiable:
            # Nothing of this operation can be made invalid (e.g. no parameters at all, or
            # only unconstrained path strings): there is no negative case to send.
            assert mode is GenerationMode.NEGATIVE
