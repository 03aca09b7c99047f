"""Demo rows for partner authorization (seed 004): a TAP partner and two apps with known secrets,
and the platform's first-party client (``client_credentials``) made the same way.

Production secrets are random (``clients.credentials.new_secret``) and shown once. The demo's
are derived from a fixed string so every run's quickstart file can hold them (only hashes are
stored, the rows are made once, and the printed text never shows them): anyone who reads this
file knows them, so they are never made in production (``TSP_AUTH_ENVIRONMENT=production``
skips the clients).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from tsp_auth.clients.credentials import hash_secret
from tsp_auth.clients.scopes import FIRST_PARTY_SCOPES, PARTNER_APP_SCOPES
from tsp_auth.config import Settings
from tsp_auth.models import Account, Client, Partner
from tsp_auth.models.base import Base

TAP_PARTNER_ID = "ptn_demo_tap"
TAP_ADMIN_ID = "acc_demo_admin_tap"
FIRST_PARTY_ID = "cli_demo_first_party"
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
    rows.append(first_party_row(created))
    return rows


def first_party_row(created: datetime) -> Client:
    """An operator's client for ``client_credentials`` (introspection, decisions)."""
    return Client(
        id=FIRST_PARTY_ID,
        partner_id=None,
        service_id=None,
        name="Demo first-party console",
        client_type="first_party",
        secret_hash=hash_secret(demo_secret(FIRST_PARTY_ID)),
        redirect_uris=[],
        scopes=FIRST_PARTY_SCOPES,
        status="live",
        created_at=created,
    )


def first_party_quickstart() -> dict[str, Any]:
    return {
        "client_id": FIRST_PARTY_ID,
        "client_secret": demo_secret(FIRST_PARTY_ID),
        "grant_type": "client_credentials",
        "scopes": sorted(FIRST_PARTY_SCOPES),
    }


def follow_base_url(clients: Iterable[Client], base_url: str) -> int:
    """Put this run's callback first among each demo app's redirect URIs.

    A second `make run` on another PORT prints links with the new callback; the first run's
    stays registered (that server may still be running), and the first URI is the one a link
    made through the API uses. Returns how many apps changed (0 on a rerun).
    """
    changed = 0
    for client in clients:
        wanted = [callback(base_url), *(u for u in client.redirect_uris if u != callback(base_url))]
        if client.redirect_uris != wanted:
            client.redirect_uris = wanted
            changed += 1
    return changed


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
        "  partner authorization (seed 004), signed in as acc_demo_admin_tap:",
        f"    open {link}",
        "    and authorize on the page (or POST /v1/app-authorization-requests/{id}/accept"
        ' \'{"category": "tap"}\')',
        # Secrets go to the quickstart file only, never to the terminal (or a CI log).
        *(f"    app {a['client_id']} ({a['status']}): secret in the quickstart file" for a in apps),
    ]
    return {"apps": apps, "app_authorization_link": link, "text": "\n".join(lines)}
