"""What `make bench` measures, and the setup each needs, done through the public API."""

from __future__ import annotations

import base64
import json
import subprocess
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx

from bench.verdicts import BATCH, DECISIONS, INTROSPECTION, JWKS, LIMIT_TARGETS, LOGIN, TOKEN
from bench.wrk import Request

SELLER, SELLER_MAIN = "slr_demo_uk", "acc_demo_main_uk"
ADMIN, OPERATOR = "acc_demo_admin_row", "acc_demo_operator"


@dataclass(frozen=True)
class Scenario:
    name: str
    request: Request
    target: float | None  # minimum CPU ratio to the bare-ASGI limit (issue 24)


def _identity(client: httpx.Client, account_id: str) -> dict[str, str]:
    response = client.post("/dev/identity-tokens", json={"account_id": account_id})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['id_token']}"}


def _grant(client: httpx.Client) -> None:
    """The UK seller authorizes the demo ROW partner, full access, through the consent API."""
    link = client.post(
        "/v1/authorization-links",
        json={"service_id": "svc_demo_row_shop"},
        headers=_identity(client, ADMIN),
    )
    link.raise_for_status()
    query = {k: v[0] for k, v in parse_qs(urlsplit(link.json()["url"]).query).items()}
    request_id = client.get("/open/authorize", params=query).headers["location"].rsplit("/", 1)[1]
    pick = {
        "service_id": "svc_demo_row_shop",
        "items": ["seller_center_access", "data_compass"],
        "roles": ["full_access"],
        "areas": ["live"],
    }
    accepted = client.post(
        f"/v1/authorization-requests/{request_id}/accept",
        json={
            "services": [pick],
            "duration_days": 365,
            "contact_email": "s@example.com",
            "terms_version": client.get(
                f"/v1/authorization-requests/{request_id}", headers=_identity(client, SELLER_MAIN)
            ).json()["terms_version"],
            "terms_accepted": True,
        },
        headers=_identity(client, SELLER_MAIN),
    )
    accepted.raise_for_status()


def _login(client: httpx.Client) -> Request:
    headers = _identity(client, ADMIN)
    return Request(
        "POST",
        "/v1/tsp-access/login",
        body=f'{{"seller_id": "{SELLER}"}}',
        headers=tuple(headers.items()),
    )


def _session_token(client: httpx.Client) -> str:
    login = client.post(
        "/v1/tsp-access/login", json={"seller_id": SELLER}, headers=_identity(client, ADMIN)
    )
    login.raise_for_status()
    session = client.post(
        "/v1/tsp-access/sessions",
        json={
            "login_token": login.json()["login_token"],
            "browser_profile": f"bench-{uuid.uuid4().hex}",
        },
    )
    session.raise_for_status()
    return str(session.json()["session_token"])


def _decision(session_token: str, action: str) -> Request:
    body = f'{{"token": "{session_token}", "action": "{action}", "shop_id": "{SELLER}"}}'
    return Request("POST", "/v1/decisions", body=body)


# A console page's menu: ten checks on the session's shop, none of them audited (Creator IM
# would add a write per allowed check), as ``decisions batch (10 actions)`` asks them.
MENU = (
    "seller_center.products",
    "seller_center.orders",
    "seller_center.ads_manager",
    "seller_center.affiliate_center",
    "seller_center.live",
    "seller_center.marketing",
    "seller_center.customer_service",
    "seller_center.finance",
    "data_compass.live",
    "ticket.create",
)


def build_batch(session_token: str) -> Request:
    checks = [{"action": action, "shop_id": SELLER} for action in MENU]
    body = json.dumps({"token": session_token, "checks": checks})
    return Request("POST", "/v1/decisions/batch", body=body)


def _first_party_client(client: httpx.Client) -> tuple[str, str]:
    created = client.post(
        "/v1/clients",
        json={"name": "bench", "client_type": "first_party", "scopes": ["tsp.introspect"]},
        headers=_identity(client, OPERATOR),
    )
    created.raise_for_status()
    return created.json()["client_id"], created.json()["client_secret"]


def _basic(client_id: str, secret: str) -> tuple[str, str]:
    raw = f"{client_id}:{secret}".encode()
    return ("Authorization", "Basic " + base64.b64encode(raw).decode())


def build(base_url: str, env: dict[str, str], only: Iterable[str] | None = None) -> list[Scenario]:
    wanted = set(only) if only is not None else None
    with httpx.Client(base_url=base_url, timeout=30) as client:
        if wanted is None:
            _grant(client)
        session_token = _session_token(client)
        client_id, secret = _first_party_client(client)
        basic = _basic(client_id, secret)
        form = "application/x-www-form-urlencoded"
        token_body = "grant_type=client_credentials&scope=tsp.introspect"
        issued = client.post(
            "/oauth/token", content=token_body, headers={"Content-Type": form, basic[0]: basic[1]}
        )
        issued.raise_for_status()
        scenarios = [
            Scenario(
                DECISIONS,
                _decision(session_token, "seller_center.orders"),
                LIMIT_TARGETS[DECISIONS],
            ),
            # Creator IM decisions are audited (seed 000: the audit keeps the member), so each
            # allowed one is also a committed write: reported, with no target of its own.
            Scenario(
                "decisions (creator_im.send, audited)",
                _decision(session_token, "creator_im.send"),
                None,
            ),
            # Judged against three single decisions (verdicts), not against the limit.
            Scenario(BATCH, build_batch(session_token), None),
            Scenario(
                INTROSPECTION,
                Request(
                    "POST",
                    "/oauth/introspect",
                    body=f"token={issued.json()['access_token']}",
                    content_type=form,
                    headers=(basic,),
                ),
                LIMIT_TARGETS[INTROSPECTION],
            ),
            Scenario(
                TOKEN,
                Request(
                    "POST", "/oauth/token", body=token_body, content_type=form, headers=(basic,)
                ),
                LIMIT_TARGETS[TOKEN],
            ),
            Scenario(LOGIN, _login(client), LIMIT_TARGETS[LOGIN]),
            Scenario(JWKS, Request("GET", "/.well-known/jwks.json"), LIMIT_TARGETS[JWKS]),
        ]
    return [s for s in scenarios if wanted is None or s.name in wanted]


def grow_to(database_url: str, grants: int) -> None:
    """Fill the database up to ``grants`` grants, each with a login token and a console
    session (what a decision looks up), and as many revoked token ids (what introspection
    looks up), in bulk."""
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
    sql = f"""
    CREATE TEMP TABLE bulk AS SELECT i FROM generate_series(
        (SELECT count(*) FROM grants WHERE id LIKE 'grt_bulk_%') + 1, {grants}) AS i;
    INSERT INTO grants (id, kind, grantor_id, grantee_id, service_id, market, items, roles,
        areas, scopes, status, version, created_at, updated_at, expires_at)
    SELECT 'grt_bulk_' || i, 'tsp_access', 'slr_bulk_' || i, 'ptn_demo_row', 'svc_bulk_' || i,
        'UK', '["seller_center_access"]', '["full_access"]', '[]', '[]', 'active', 1, now(),
        now(), now() + interval '365 days' FROM bulk;
    INSERT INTO login_tokens (jti, grant_id, grant_version, member_id, partner_id, seller_id,
        roles, created_at, expires_at, redeemed_at)
    SELECT 'jti_bulk_' || i, 'grt_bulk_' || i, 1, '{ADMIN}', 'ptn_demo_row', 'slr_bulk_' || i,
        '["full_access"]', now(), now() + interval '5 minutes', now() FROM bulk;
    INSERT INTO console_sessions (id, token_hash, login_jti, grant_id, grant_version, member_id,
        partner_id, seller_id, roles, browser_profile, created_at, expires_at)
    SELECT 'cs_bulk_' || i, md5('bulk' || i) || md5('session' || i), 'jti_bulk_' || i,
        'grt_bulk_' || i, 1, '{ADMIN}', 'ptn_demo_row', 'slr_bulk_' || i, '["full_access"]',
        'bench-bulk-' || i, now(), now() + interval '8 hours' FROM bulk;
    INSERT INTO revoked_tokens (jti, expires_at, revoked_at)
    SELECT 'revoked_bulk_' || i, now() + interval '1 hour', now() FROM bulk;
    """
    subprocess.run(["psql", dsn, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True)
    # Settle the new rows now, so autovacuum does not compete with the measurement.
    vacuum = "VACUUM ANALYZE grants, login_tokens, console_sessions, revoked_tokens"
    subprocess.run(["psql", dsn, "-q", "-c", vacuum], check=True)
