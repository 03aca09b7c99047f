"""Demo rows for partner authorization (seed 004): a TAP partner and two apps with known secrets.

Production secrets are random (``clients.credentials.new_secret``) and shown once. The demo's
are derived from a fixed string so the quickstart can print them on every run (only hashes
are stored, and the rows are made once): anyone who reads this file knows them, so they are
never made in production (``TSP_AUTH_ENVIRONMENT=production`` skips the apps).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from tsp_auth.clients.credentials import hash_secret
from tsp_auth.clients.scopes import PARTNER_APP_SCOPES
from tsp_auth.config import Settings
from tsp_auth.models import Account, Client, Partner
from tsp_auth.models.base import Base

TAP_PARTNER_ID = "ptn_demo_tap"
TAP_ADMIN_ID = "acc_demo_admin_tap"
# (client id, service id, name, status)
APPS = (
    ("cli_demo_tap_dev", "app_demo_tap_dev", "Demo TAP app (in development)", "development"),
    ("cli_demo_tap_live", "app_demo_tap_live", "Demo TAP app (live)", "live"),
)


def demo_secret(client_id: str) -> str:
    """DEMO ONLY: a secret anybody can recompute."""
    return hashlib.sha256(f"tsp-auth demo client secret {client_id}".encode()).hexdigest()


def callback(base_url: str) -> str:
    return f"{base_url}/demo/partner-callback"


def partner_app_rows(settings: Settings, base_url: str, created: datetime) -> list[Base]:
    rows: list[Base] = [
        Partner(
            id=TAP_PARTNER_ID,
            name="Demo TAP Partner",
            region="US",
            categories=frozenset({"seller_service", "tap"}),
            status="active",
            created_at=created,
        ),
        Account(
            id=TAP_ADMIN_ID,
            kind="partner",
            role="admin",
            name="Demo TAP Partner admin",
            email=f"{TAP_ADMIN_ID}@demo.example",
            partner_id=TAP_PARTNER_ID,
            created_at=created,
        ),
    ]
    if settings.environment == "production":
        return rows
    rows += [
        Client(
            id=client_id,
            partner_id=TAP_PARTNER_ID,
            service_id=service_id,
            name=name,
            client_type="confidential",
            secret_hash=hash_secret(demo_secret(client_id)),
            redirect_uris=[callback(base_url)],
            scopes=PARTNER_APP_SCOPES,
            status=status,
            created_at=created,
        )
        for client_id, service_id, name, status in APPS
    ]
    return rows


def partner_app_quickstart(settings: Settings, base_url: str) -> dict[str, Any]:
    """What the quickstart says about the apps: ids, demo secrets, and a link to try."""
    if settings.environment == "production":
        return {"apps": []}
    apps = [
        {
            "client_id": client_id,
            "client_secret": demo_secret(client_id),
            "service_id": service_id,
            "status": status,
            "redirect_uri": callback(base_url),
        }
        for client_id, service_id, _, status in APPS
    ]
    query = {
        "service_id": "app_demo_tap_live",
        "state": "demo-app-state",
        "client_id": "cli_demo_tap_live",
        "redirect_uri": callback(base_url),
        "response_type": "code",
    }
    link = f"{base_url}/open/authorize?{urlencode(query)}"
    lines = [
        "  partner authorization (seed 004), as acc_demo_admin_tap:",
        f"    open {link}",
        '    then POST /v1/app-authorization-requests/{id}/accept \'{"category": "tap"}\'',
        *(
            f"    app {a['client_id']} ({a['status']}): secret {a['client_secret']} (demo only)"
            for a in apps
        ),
    ]
    return {"apps": apps, "app_authorization_link": link, "text": "\n".join(lines)}
